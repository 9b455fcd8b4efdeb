#include "src/cli/curl_transport.h"

#include <curl/curl.h>

#include <filesystem>
#include <mutex>

#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t appendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Frees a curl_slist when it goes out of scope.
struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(TransportOptions options)
      : options_(std::move(options)), handle_(curl_easy_init()) {}
  ~CurlTransport() override { curl_easy_cleanup(handle_); }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  const std::string& baseUrl() const override { return options_.base_url; }

  absl::StatusOr<HttpResponse> send(const HttpRequest& request) override {
    if (handle_ == nullptr) return absl::InternalError("libcurl could not create a handle");
    // Reset keeps the connection cache, so keep-alive still works across requests.
    curl_easy_reset(handle_);
    HeaderList headers;
    std::string url = strCat(options_.base_url, request.target);
    HttpResponse response;
    char error[CURL_ERROR_SIZE] = {};
    setCommon(url, error, response.body);
    setMethod(request);
    setHeaders(request, headers);
    CURLcode rc = curl_easy_perform(handle_);
    if (rc != CURLE_OK) return failure(rc, error, url);
    long status = 0;
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    char* type = nullptr;
    curl_easy_getinfo(handle_, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) response.content_type = type;
    return response;
  }

 private:
  void setCommon(const std::string& url, char* error, std::string& body) {
    curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(handle_, CURLOPT_USERAGENT, "ursactl/" URSA_VERSION);
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
    if (!options_.ca_cert_file.empty()) {
      curl_easy_setopt(handle_, CURLOPT_CAINFO, options_.ca_cert_file.c_str());
    }
    if (!options_.client_cert_file.empty()) {
      curl_easy_setopt(handle_, CURLOPT_SSLCERT, options_.client_cert_file.c_str());
      curl_easy_setopt(handle_, CURLOPT_SSLKEY, options_.client_key_file.c_str());
    }
    if (options_.skip_verify) {
      curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }

  void setMethod(const HttpRequest& request) {
    if (request.method == "GET") {
      curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!request.body.empty() || request.method == "PUT" || request.method == "POST") {
      curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  void setHeaders(const HttpRequest& request, HeaderList& headers) {
    headers.add("Expect:");  // no 100-continue round trip
    if (!request.accept.empty()) headers.add("Accept: " + request.accept);
    if (!request.content_type.empty()) headers.add("Content-Type: " + request.content_type);
    if (!options_.bearer_token.empty()) {
      headers.add("Authorization: Bearer " + options_.bearer_token);
    }
    for (const auto& [name, value] : options_.headers) headers.add(name + ": " + value);
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers.list);
  }

  absl::Status failure(CURLcode rc, const char* error, const std::string& url) const {
    std::string why = error[0] != '\0' ? error : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return absl::DeadlineExceededError(strCat("no answer from ", url, " within --api-timeout=",
                                                fromAbsl(absl::FormatDuration(options_.timeout)),
                                                " (", why, ")"));
    }
    return absl::UnavailableError(
        strCat("could not reach the control plane at ", options_.base_url, ": ", why));
  }

  TransportOptions options_;
  CURL* handle_;
};

absl::Status checkFile(std::string_view flag, const std::string& path) {
  if (path.empty() || std::filesystem::exists(path)) return absl::OkStatus();
  return absl::InvalidArgumentError(strCat(flag, " \"", path, "\" does not exist"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpTransport>> makeCurlTransport(const TransportOptions& options) {
  const std::string& url = options.base_url;
  bool http = url.starts_with("http://") && url.size() > 7;
  bool https = url.starts_with("https://") && url.size() > 8;
  if (!http && !https) {
    return absl::InvalidArgumentError(
        strCat("API Server URL \"", url, "\" is invalid: it must start with http:// or https://"));
  }
  URSA_RETURN_IF_ERROR(checkFile("CA certificate file", options.ca_cert_file));
  URSA_RETURN_IF_ERROR(checkFile("client certificate file", options.client_cert_file));
  URSA_RETURN_IF_ERROR(checkFile("client key file", options.client_key_file));
  initCurlOnce();
  TransportOptions normalized = options;
  while (normalized.base_url.ends_with('/')) normalized.base_url.pop_back();
  return std::unique_ptr<HttpTransport>(new CurlTransport(std::move(normalized)));
}

}  // namespace ursa::cli
