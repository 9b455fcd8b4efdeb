#include "src/api/auth/revocations.h"

#include <cctype>

#include "ursa/common/strings.h"

namespace ursa::api {
namespace {

using IdSet = std::shared_ptr<const std::set<std::string, std::less<>>>;

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

absl::StatusOr<IdSet> parseIds(const SecretRef&, const std::string& data) {
  auto ids = std::make_shared<std::set<std::string, std::less<>>>();
  std::string_view rest = data;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view id = trim(rest.substr(0, comma));
    if (!id.empty()) ids->emplace(id);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return IdSet(std::move(ids));
}

}  // namespace

RevocationList::RevocationList(store::ResourceStore& store, std::string secret_name,
                               KeyScope scope)
    : secret_name_(std::move(secret_name)),
      scope_(scope),
      ids_(store, parseIds, /*cache_absence=*/true) {}

SecretRef RevocationList::secretRef(std::string_view mesh) const {
  if (mesh.empty()) return SecretRef{"", secret_name_};
  return SecretRef{std::string(mesh), strCat(secret_name_, "-", mesh)};
}

absl::StatusOr<bool> RevocationList::isRevoked(std::string_view jti, std::string_view mesh) const {
  if ((scope_ == KeyScope::kGlobal) != mesh.empty()) {
    return absl::InvalidArgumentError(
        strCat("the revocation list \"", secret_name_, "\" is ",
               scope_ == KeyScope::kGlobal ? "global, not per mesh" : "per mesh: name a mesh"));
  }
  auto ids = ids_.get(secretRef(mesh));
  if (absl::IsNotFound(ids.status())) return false;
  if (!ids.ok()) return ids.status();
  return (*ids)->contains(jti);
}

}  // namespace ursa::api
