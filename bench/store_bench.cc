// ursa-store-bench: the cost of store operations on each backend, printed as
// Markdown for docs/benchmarks.md. A benchmark program, not a timed test:
// it fails only when a store errs or answers wrongly, never on timing.
//
//   ursa-store-bench [--resources N] [--repeat R]
//                    [--backends memory,sqlite-full,sqlite-normal,postgres]
//                    [--postgres-dsn DSN] [--dir DIR] [--seed S]
//                    [--list-samples K] [--page-size P] [--change-samples C]
//
// Each run opens a fresh, empty store, creates Mesh "default" and N
// Dataplanes in it (one inbound with four tags, one outbound, one label),
// then times, one call at a time with steady_clock:
//   create       N creates
//   update       N updates, each resource once, naming its current version
//   get          N gets in a seeded random order
//   list all     K lists of all N (the Dataplanes of the mesh)
//   list page    every page of P items, following next_offset from 0
//   cache load   K ResourceCache::start() with N Dataplanes present
//   cache current  C times: update one Dataplane (untimed), wait until the
//                cache heard of it, then time ResourceCache::current()
//   delete       N deletes, naming the current version
// Backends: memory; sqlite-full and sqlite-normal (a file in a fresh
// directory under --dir, synchronous=FULL, the default, or NORMAL);
// postgres (a database created per run on the server named by
// --postgres-dsn or $URSA_BENCH_POSTGRES_DSN, dropped after; skipped with a
// note when neither is set). --postgres-dsn may be repeated to compare
// servers, e.g. scripts/pg-test-server.sh (fsync=off, for tests) with
// bench/pg-durable-server.sh (fsync=on); each prints its DSN on start.
//
// Every configuration runs R times; runs of different backends interleave,
// so that slow drift on a shared machine spreads over all of them. The table
// gives each figure's median over the runs. Progress goes to stderr, the
// report to stdout.
//
// For steadier figures pin the process to one CPU (the commands that
// produced the published figures are in docs/benchmarks.md):
//   taskset -c 1 build/bin/ursa-store-bench --postgres-dsn "$(scripts/pg-test-server.sh start)"

#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "bench/bench_support.h"
#include "bench/store_backends.h"
#include "bench/store_workload.h"
#include "ursa/common/strings.h"

namespace ursa::bench {
namespace {

constexpr const char* kDsnVariable = "URSA_BENCH_POSTGRES_DSN";

struct Flags {
  size_t resources = 10000;
  size_t repeat = 3;
  std::vector<std::string> backends = {"memory", "sqlite-full", "sqlite-normal", "postgres"};
  std::vector<std::string> postgres_dsns;
  std::string dir = std::filesystem::temp_directory_path().string();
  uint64_t seed = 1;
  PhaseSettings phases;
};

// One column of results: a backend, and for postgres the server it runs on.
struct Config {
  Backend backend;
  std::string label;        // in the table: "sqlite FULL", "postgres fsync=off"
  std::string description;  // in the preamble
  BackendOptions options;
  std::vector<RunResult> runs;
};

void progress(std::string_view line) { std::cerr << "ursa-store-bench: " << line << std::endl; }

// The configurations --backends names, in its order; postgres once per DSN.
// Backends that cannot run are left out with a note in `notes`.
absl::StatusOr<std::vector<Config>> configsOf(const Flags& flags,
                                              std::vector<std::string>& notes) {
  std::vector<Config> out;
  for (const auto& name : flags.backends) {
    auto backend = parseBackend(name);
    if (!backend) {
      return absl::InvalidArgumentError(strCat(
          "unknown backend \"", name, "\" (memory, sqlite-full, sqlite-normal, postgres)"));
    }
    Config c{.backend = *backend, .options = {.scratch_dir = flags.dir}};
    switch (*backend) {
      case Backend::Memory:
        c.label = "memory";
        c.description = "MemoryStore";
        out.push_back(std::move(c));
        break;
      case Backend::SqliteFull:
      case Backend::SqliteNormal: {
        std::string_view sync = *backend == Backend::SqliteFull ? "FULL" : "NORMAL";
        c.label = strCat("sqlite ", sync);
        c.description = strCat(describeSqlite(), ", WAL, synchronous=", sync, ", file in ",
                               flags.dir, " (", filesystemType(flags.dir), ")");
        out.push_back(std::move(c));
        break;
      }
      case Backend::Postgres:
        if (flags.postgres_dsns.empty()) {
          notes.push_back(strCat("postgres: skipped, no server given (pass --postgres-dsn or "
                                 "set ", kDsnVariable, "; scripts/pg-test-server.sh start "
                                 "prints a DSN)."));
          progress(notes.back());
        }
        for (const auto& dsn : flags.postgres_dsns) {
          auto server = describePostgres(dsn);
          if (!server.ok()) {
            return absl::Status(server.status().code(),
                                strCat(dsn, ": ", fromAbsl(server.status().message())));
          }
          Config pg = c;
          pg.label = strCat("postgres fsync=", server->fsync);
          for (const Config& other : out) {
            if (other.label == pg.label) pg.label += strCat(" #", out.size() + 1);
          }
          pg.description = strCat(server->description, "; server at ", dsn);
          pg.options.postgres_admin_dsn = dsn;
          out.push_back(std::move(pg));
        }
        break;
    }
  }
  return out;
}

// The description above the table: command, machine, software, workload.
void printPreamble(const Flags& flags, const std::string& command, const Machine& machine,
                   const Workload& workload, const std::vector<Config>& configs) {
  std::cout << "Command:\n\n```sh\n" << command << "\n```\n\n";
  std::cout << "- Machine: " << machine.cpu_model << ", " << machine.online_cpus
            << " CPUs online, " << machine.usable_cpus << " in this process's affinity mask, "
            << machine.memory << " RAM, " << machine.kernel
            << "; load average at start " << machine.load_average << ".\n";
  std::cout << "- Build: " << URSA_BENCH_BUILD_TYPE << " (" << URSA_BENCH_COMPILER << ").\n";
  for (const Config& c : configs) std::cout << "- " << c.label << ": " << c.description << ".\n";
  std::cout << "- Workload: " << flags.resources << " Dataplanes in one Mesh (one inbound with 4 "
            << "tags, one outbound, one label; " << workload.spec_bytes << "-byte spec); "
            << flags.repeat << (flags.repeat == 1 ? " run" : " runs")
            << " per backend, each on a fresh store; get order seeded with " << flags.seed
            << ".\n\n";
}

void printTable(const Flags& flags, const std::vector<Config>& configs) {
  std::cout << "| operation | backend | ops | total | ops/s | p50 | p99 | CPU/op |\n"
            << "|---|---|--:|--:|--:|--:|--:|--:|\n";
  for (size_t o = 0; o < kOpCount; ++o) {
    for (const Config& c : configs) {
      std::vector<Summary> per_run;
      for (const RunResult& r : c.runs) {
        if (r.ops[o]) per_run.push_back(*r.ops[o]);
      }
      if (per_run.empty()) continue;
      Summary m = medianOf(per_run);
      std::cout << "| " << opLabel(static_cast<Op>(o), flags.resources, flags.phases) << " | "
                << c.label << " | " << m.ops << " | " << formatDuration(m.total_s) << " | "
                << formatRate(m.ops_per_s) << " | " << formatDuration(m.p50_s) << " | "
                << formatDuration(m.p99_s) << " | " << formatDuration(m.cpu_per_op_s) << " |\n";
    }
  }
  std::cout << "\n"
            << (flags.repeat == 1 ? std::string("One run. ")
                                  : strCat("Medians of ", flags.repeat,
                                           " runs, each column taken separately. "))
            << "total: wall time of the loop, which includes dropping each call's result; "
            << "for the two cache rows, the sum of the timed calls (their loops do untimed "
            << "work in between). p50/p99: nearest-rank percentiles of single calls. CPU/op: "
            << "the calling thread's CPU time over the same span as total, per op (not the "
            << "database server's, nor a store's own threads'); well below total/ops means "
            << "waiting: for a disk, a server, or a CPU on a busy machine.\n";
}

void printAnnounceLag(const std::vector<Config>& configs) {
  static constexpr const char* kPhases[] = {"creates", "updates", "deletes"};
  for (const Config& c : configs) {
    // The other stores notify on the writer's thread, before the write returns.
    if (c.backend != Backend::Postgres) continue;
    std::vector<std::string> parts;
    for (size_t p = 0; p < kWritePhaseCount; ++p) {
      std::vector<double> lags;
      for (const RunResult& r : c.runs) lags.push_back(r.announce_lag_s[p]);
      parts.push_back(strCat(kPhases[p], " ", formatDuration(median(std::move(lags)))));
    }
    std::cout << "\nChange announcements, " << c.label << ": the last change of each write "
              << "phase reached watchers this long after the phase's last write returned "
              << "(median): " << strJoin(parts, ", ") << ".\n";
  }
}

int run(const Flags& flags, const std::string& command) {
  Machine machine = describeMachine();
  auto workload = buildWorkload(flags.resources, flags.seed);
  if (!workload.ok()) {
    progress(fromAbsl(workload.status().message()));
    return 1;
  }
  std::vector<std::string> notes;
  auto configs = configsOf(flags, notes);
  if (!configs.ok()) {
    progress(fromAbsl(configs.status().message()));
    return absl::IsInvalidArgument(configs.status()) ? 2 : 1;
  }

  for (size_t r = 0; r < flags.repeat; ++r) {
    for (Config& c : *configs) {
      progress(strCat("run ", r + 1, "/", flags.repeat, ": ", c.label));
      auto scratch = ScratchStore::open(c.backend, c.options);
      if (!scratch.ok()) {
        progress(strCat(c.label, ": cannot open: ", fromAbsl(scratch.status().message())));
        return 1;
      }
      auto result = runWorkload((*scratch)->store(), *workload, flags.phases,
                                [](std::string_view line) { progress(strCat("  ", line)); });
      if (!result.ok()) {
        progress(strCat(c.label, ": ", fromAbsl(result.status().message())));
        return 1;
      }
      c.runs.push_back(std::move(*result));
    }
  }

  printPreamble(flags, command, machine, *workload, *configs);
  printTable(flags, *configs);
  printAnnounceLag(*configs);
  for (const auto& note : notes) std::cout << "\n" << note << "\n";
  std::cout << "\nLoad average at the end: " << describeMachine().load_average << ".\n";
  return 0;
}

}  // namespace
}  // namespace ursa::bench

int main(int argc, char** argv) {
  using ursa::bench::Flags;
  Flags flags;
  CLI::App app{"ursa-store-bench: store operations per backend, as a Markdown table"};
  app.add_option("--resources", flags.resources, "Dataplanes per run")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--repeat", flags.repeat, "runs per backend; the report gives medians")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--backends", flags.backends, "backends to run, comma-separated")
      ->delimiter(',')->capture_default_str();
  app.add_option("--postgres-dsn", flags.postgres_dsns,
                 "admin DSN of a PostgreSQL server (default: $URSA_BENCH_POSTGRES_DSN); a "
                 "database is created and dropped per run. Repeat to compare servers");
  app.add_option("--dir", flags.dir, "directory for the SQLite scratch files")
      ->check(CLI::ExistingDirectory)->capture_default_str();
  app.add_option("--seed", flags.seed, "seed of the random get order")->capture_default_str();
  app.add_option("--list-samples", flags.phases.list_samples,
                 "lists of all and ResourceCache loads per run")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--page-size", flags.phases.page_size, "items per page in the paged list")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--change-samples", flags.phases.change_samples,
                 "ResourceCache::current() calls after one change, per run")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.footer(
      "Pin for steadier figures: taskset -c 1 ursa-store-bench ...\n"
      "A local PostgreSQL: --postgres-dsn \"$(scripts/pg-test-server.sh start)\"");
  CLI11_PARSE(app, argc, argv);

  std::string command = ursa::bench::commandLine(argc, argv);
  if (flags.postgres_dsns.empty()) {
    const char* env = std::getenv(ursa::bench::kDsnVariable);
    if (env != nullptr && *env != '\0') {
      flags.postgres_dsns.push_back(env);
      command = ursa::strCat(ursa::bench::kDsnVariable, "=", ursa::bench::shellQuote(env), " ",
                             command);
    }
  }
  return ursa::bench::run(flags, command);
}
