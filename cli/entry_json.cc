#include "cli/entry_json.h"

#include <cstddef>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"

namespace yinjian::cli {
namespace {

constexpr int kMaxDepth = 64;

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// A recursive-descent reader over the whole text; `at_` is the next byte to read.
class JsonReader {
 public:
  explicit JsonReader(absl::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<JsonMember>> TopLevelObject() {
    SkipSpace();
    if (!Consume('{')) return Error("expected an object");
    std::vector<JsonMember> members;
    std::set<std::string> names;
    SkipSpace();
    if (Consume('}')) return Finish(std::move(members));
    while (true) {
      SkipSpace();
      JsonMember member;
      const size_t name_start = at_;
      ASSIGN_OR_RETURN(member.name, String());
      member.raw_name = std::string(text_.substr(name_start, at_ - name_start));
      if (!names.insert(member.name).second) {
        return Error(absl::StrCat("member \"", member.name, "\" appears twice"));
      }
      SkipSpace();
      if (!Consume(':')) return Error("expected ':'");
      SkipSpace();
      const size_t value_start = at_;
      if (Peek() == '"') {
        ASSIGN_OR_RETURN(member.text, String());
      } else {
        RETURN_IF_ERROR(Value(1));
      }
      member.raw_value = std::string(text_.substr(value_start, at_ - value_start));
      members.push_back(std::move(member));
      SkipSpace();
      if (Consume('}')) return Finish(std::move(members));
      if (!Consume(',')) return Error("expected ',' or '}'");
    }
  }

 private:
  absl::StatusOr<std::vector<JsonMember>> Finish(std::vector<JsonMember> members) {
    SkipSpace();
    if (at_ != text_.size()) return Error("unexpected text after the object");
    return members;
  }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("not a JSON object: ", what, " at byte ", at_));
  }

  char Peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }

  bool Consume(char c) {
    if (Peek() != c || at_ >= text_.size()) return false;
    ++at_;
    return true;
  }

  bool ConsumeWord(absl::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  void SkipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }

  // Any value; `depth` counts the enclosing objects and arrays.
  absl::Status Value(int depth) {
    if (depth > kMaxDepth) return Error("nested too deeply");
    const char c = Peek();
    if (c == '"') return String().status();
    if (c == '{') return Container(depth, '}', /*object=*/true);
    if (c == '[') return Container(depth, ']', /*object=*/false);
    if (c == '-' || absl::ascii_isdigit(static_cast<unsigned char>(c))) return Number();
    if (ConsumeWord("true") || ConsumeWord("false") || ConsumeWord("null")) {
      return absl::OkStatus();
    }
    return Error("expected a value");
  }

  absl::Status Container(int depth, char close, bool object) {
    ++at_;  // the opening bracket
    SkipSpace();
    if (Consume(close)) return absl::OkStatus();
    while (true) {
      SkipSpace();
      if (object) {
        RETURN_IF_ERROR(String().status());
        SkipSpace();
        if (!Consume(':')) return Error("expected ':'");
        SkipSpace();
      }
      RETURN_IF_ERROR(Value(depth + 1));
      SkipSpace();
      if (Consume(close)) return absl::OkStatus();
      if (!Consume(','))
        return Error(absl::StrCat("expected ',' or '", std::string(1, close), "'"));
    }
  }

  absl::Status Digits() {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(Peek()))) return Error("expected a digit");
    while (absl::ascii_isdigit(static_cast<unsigned char>(Peek()))) ++at_;
    return absl::OkStatus();
  }

  absl::Status Number() {
    Consume('-');
    if (!Consume('0')) RETURN_IF_ERROR(Digits());
    if (Consume('.')) RETURN_IF_ERROR(Digits());
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      RETURN_IF_ERROR(Digits());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint32_t> Hex4() {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = Peek();
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return Error("bad \\u escape");
      value = value * 16 + static_cast<uint32_t>(absl::ascii_isdigit(static_cast<unsigned char>(c))
                                                     ? c - '0'
                                                     : absl::ascii_tolower(c) - 'a' + 10);
      ++at_;
    }
    return value;
  }

  // After "\u": one code point, joining a surrogate pair.
  absl::StatusOr<uint32_t> UnicodeEscape() {
    ASSIGN_OR_RETURN(const uint32_t unit, Hex4());
    if (unit < 0xD800 || unit > 0xDFFF) return unit;
    if (unit <= 0xDBFF && text_.substr(at_, 2) == "\\u") {
      const size_t saved = at_;
      at_ += 2;
      ASSIGN_OR_RETURN(const uint32_t low, Hex4());
      if (low >= 0xDC00 && low <= 0xDFFF) return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      at_ = saved;  // not a pair: the next escape stands on its own
    }
    return 0xFFFD;
  }

  absl::StatusOr<std::string> String() {
    if (!Consume('"')) return Error("expected a string");
    std::string out;
    while (true) {
      if (at_ >= text_.size()) return Error("unterminated string");
      const char c = text_[at_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const char escaped = Peek();
      ++at_;
      switch (escaped) {
        case '"':
        case '\\':
        case '/':
          out.push_back(escaped);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          ASSIGN_OR_RETURN(const uint32_t code_point, UnicodeEscape());
          AppendUtf8(code_point, &out);
          break;
        }
        default:
          --at_;
          return Error("bad escape");
      }
    }
  }

  absl::string_view text_;
  size_t at_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<JsonMember>> ParseJsonObject(absl::string_view json) {
  return JsonReader(json).TopLevelObject();
}

const JsonMember* FindMember(const std::vector<JsonMember>& members, absl::string_view name) {
  for (const JsonMember& member : members) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

std::string MemberText(const std::vector<JsonMember>& members, absl::string_view name) {
  const JsonMember* member = FindMember(members, name);
  if (member == nullptr) return "";
  return member->text.has_value() ? *member->text : member->raw_value;
}

std::optional<int64_t> MemberInteger(const std::vector<JsonMember>& members,
                                     absl::string_view name) {
  const JsonMember* member = FindMember(members, name);
  if (member == nullptr || member->text.has_value()) return std::nullopt;
  const absl::string_view raw = member->raw_value;
  // Plain decimal only: SimpleAtoi would also take "+1" or " 1", which JSON does not allow.
  const absl::string_view digits = raw.substr(!raw.empty() && raw[0] == '-' ? 1 : 0);
  if (digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(raw, &value)) return std::nullopt;
  return value;
}

std::string IndentedJson(const std::vector<JsonMember>& members) {
  if (members.empty()) return "{}\n";
  std::string out = "{\n";
  for (size_t i = 0; i < members.size(); ++i) {
    absl::StrAppend(&out, "  ", members[i].raw_name, ": ", members[i].raw_value,
                    i + 1 < members.size() ? ",\n" : "\n");
  }
  out += "}\n";
  return out;
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace yinjian::cli
