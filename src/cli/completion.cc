#include "src/cli/completion.h"

#include <algorithm>

#include "src/cli/resource_nouns.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::cli {
namespace {

void walk(CLI::App& app, const std::string& path, const CompletionNode* parent,
          std::vector<CompletionNode>& out) {
  CompletionNode node{.path = path};
  if (parent != nullptr) {
    node.flags = parent->flags;
    node.value_flags = parent->value_flags;
  }
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional()) continue;
    std::vector<std::string> names;
    for (const auto& s : opt->get_snames()) names.push_back("-" + s);
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    for (const auto& n : names) {
      if (std::find(node.flags.begin(), node.flags.end(), n) != node.flags.end()) continue;
      node.flags.push_back(n);
      if (opt->get_type_size_max() > 0) node.value_flags.push_back(n);
    }
  }
  std::vector<CLI::App*> subs = app.get_subcommands([](CLI::App*) { return true; });
  for (CLI::App* sub : subs) node.subcommands.push_back(sub->get_name());
  out.push_back(node);
  size_t self = out.size() - 1;
  for (CLI::App* sub : subs) {
    std::string child = path.empty() ? sub->get_name() : strCat(path, " ", sub->get_name());
    CompletionNode copy = out[self];  // `out` may reallocate while recursing
    walk(*sub, child, &copy, out);
  }
}

std::string caseTable(const char* function, const std::vector<CompletionNode>& tree,
                      std::vector<std::string> CompletionNode::*field) {
  std::string out = strCat(function, "() {\n  case \"$1\" in\n");
  for (const auto& node : tree) {
    out += strCat("    \"", node.path, "\") echo \"", strJoin(node.*field, " "), "\" ;;\n");
  }
  return out + "  esac\n}\n";
}

// singular noun -> "plural NAME-column" (NAME is the 2nd column of mesh-scoped tables).
std::string nounTable() {
  std::string out = "__ursactl_noun_list() {\n  case \"$1\" in\n";
  for (const model::ResourceType* t : model::TypeRegistry::instance().all()) {
    if (t->cli_singular.empty()) continue;
    out += strCat("    ", t->cli_singular, ") echo \"", t->cli_plural, " ",
                  t->scope == model::Scope::Mesh ? 2 : 1, "\" ;;\n");
  }
  return out + "  esac\n}\n";
}

// Functions shared by bash and zsh (POSIX-style; no variable named `path`,
// which zsh ties to PATH).
std::string sharedFunctions(const std::vector<CompletionNode>& tree) {
  std::vector<std::string> all = pluralNouns();
  for (auto& s : singularNouns()) all.push_back(s);
  std::string out;
  out += caseTable("__ursactl_subcommands", tree, &CompletionNode::subcommands);
  out += caseTable("__ursactl_flags", tree, &CompletionNode::flags);
  out += caseTable("__ursactl_value_flags", tree, &CompletionNode::value_flags);
  out += nounTable();
  out += strCat("__ursactl_nouns_all() { echo \"", strJoin(all, " "), "\"; }\n");
  out += strCat("__ursactl_nouns_singular() { echo \"", strJoin(singularNouns(), " "), "\"; }\n");
  out += R"SH(
__ursactl_in() {  # word list...: is word one of the list?
  local w="$1" x; shift
  for x in $(echo "$@"); do [ "$x" = "$w" ] && return 0; done
  return 1
}
__ursactl_names() {  # singular-noun [mesh]: names of that type, asked from the control plane
  local info plural col
  info=$(__ursactl_noun_list "$1")
  [ -z "$info" ] && return
  plural=${info% *}; col=${info#* }
  if [ -n "$2" ]; then
    "$__ursactl_bin" get "$plural" -m "$2" 2>/dev/null | awk -v c="$col" 'NR>1 { if ($0 == "") exit; print $c }'
  else
    "$__ursactl_bin" get "$plural" 2>/dev/null | awk -v c="$col" 'NR>1 { if ($0 == "") exit; print $c }'
  fi
}
__ursactl_cp_names() {
  "$__ursactl_bin" config control-planes list 2>/dev/null | awk 'NR>1 { print $(NF-1) }'
}
# cpath prev cur mesh positional...: the candidates, or __files__ for file names.
__ursactl_candidates() {
  local cpath="$1" prev="$2" cur="$3" mesh="$4"
  shift 4
  case "$prev" in
    -o|--output) echo "table yaml json"; return ;;
    --log-level) echo "off info debug"; return ;;
    -f|--file|--config-file|--ca-cert-file|--client-cert-file|--client-key-file) echo "__files__"; return ;;
    -m|--mesh) __ursactl_names mesh ""; return ;;
    --name)
      case "$cpath" in
        "config control-planes switch"|"config control-planes remove") __ursactl_cp_names; return ;;
      esac ;;
  esac
  if __ursactl_in "$prev" "$(__ursactl_value_flags "$cpath")"; then return; fi
  case "$cur" in -*) __ursactl_flags "$cpath"; return ;; esac
  case "$cpath" in
    get)
      if [ $# -eq 0 ]; then __ursactl_nouns_all; elif [ $# -eq 1 ]; then __ursactl_names "$1" "$mesh"; fi
      return ;;
    delete)
      if [ $# -eq 0 ]; then __ursactl_nouns_singular; elif [ $# -eq 1 ]; then __ursactl_names "$1" "$mesh"; fi
      return ;;
  esac
  [ $# -eq 0 ] && __ursactl_subcommands "$cpath"
}
)SH";
  return out;
}

// The loop that turns the words before the cursor into (cpath, mesh, pos).
// `$W` and `$I0`/`$END` are the shell's words array and bounds.
std::string scanLoop(std::string_view words, std::string_view first, std::string_view end) {
  return strCat(R"SH(  local cpath="" mesh="" word i=)SH", first, R"SH(
  local -a pos
  pos=()
  while [ $i -lt )SH",
                end, R"SH( ]; do
    word="${)SH",
                words, R"SH([i]}"
    case "$word" in
      -m|--mesh) i=$((i + 1)); mesh="${)SH",
                words, R"SH([i]}" ;;
      --mesh=*) mesh="${word#--mesh=}" ;;
      -*=*) ;;
      -*) if __ursactl_in "$word" "$(__ursactl_value_flags "$cpath")"; then i=$((i + 1)); fi ;;
      *)
        if [ ${#pos[@]} -eq 0 ] && __ursactl_in "$word" "$(__ursactl_subcommands "$cpath")"; then
          cpath="${cpath:+$cpath }$word"
        else
          pos+=("$word")
        fi ;;
    esac
    i=$((i + 1))
  done
)SH");
}

}  // namespace

std::vector<CompletionNode> completionTree(CLI::App& root) {
  std::vector<CompletionNode> out;
  walk(root, "", nullptr, out);
  return out;
}

std::string bashCompletion(const std::vector<CompletionNode>& tree) {
  return strCat(
      "# bash completion for ursactl. Load it with:\n"
      "#   source <(ursactl completion bash)\n"
      "# or save it as /etc/bash_completion.d/ursactl.\n\n",
      sharedFunctions(tree), R"SH(
_ursactl() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev=""
  [ "$COMP_CWORD" -gt 0 ] && prev="${COMP_WORDS[COMP_CWORD-1]}"
  __ursactl_bin="${COMP_WORDS[0]}"
)SH",
      scanLoop("COMP_WORDS", "1", "$COMP_CWORD"), R"SH(  local out
  out=$(__ursactl_candidates "$cpath" "$prev" "$cur" "$mesh" "${pos[@]}")
  if [ "$out" = "__files__" ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
  fi
}
complete -F _ursactl ursactl
)SH");
}

std::string zshCompletion(const std::vector<CompletionNode>& tree) {
  return strCat(
      "#compdef ursactl\n"
      "# zsh completion for ursactl. Load it with:\n"
      "#   source <(ursactl completion zsh)\n"
      "# or save it as _ursactl in a directory of $fpath (then run compinit).\n\n",
      sharedFunctions(tree), R"SH(
_ursactl() {
  local cur="${words[CURRENT]}" prev="${words[CURRENT-1]}"
  __ursactl_bin="${words[1]}"
)SH",
      scanLoop("words", "2", "$CURRENT"), R"SH(  local out
  out=$(__ursactl_candidates "$cpath" "$prev" "$cur" "$mesh" "${pos[@]}")
  if [ "$out" = "__files__" ]; then
    _files
  else
    local -a candidates
    candidates=(${=out})
    compadd -- $candidates
  fi
}
if [ "$funcstack[1]" = "_ursactl" ]; then
  _ursactl "$@"
else
  compdef _ursactl ursactl
fi
)SH");
}

}  // namespace ursa::cli
