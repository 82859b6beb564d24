#include "telegram/links.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace tb::telegram {

void AppLinks::set_bot_username(std::string username) {
  std::lock_guard lock(mutex_);
  bot_username_ = std::move(username);
}

std::string AppLinks::bot_username() const {
  std::lock_guard lock(mutex_);
  return bot_username_;
}

std::string AppLinks::app_url(std::string_view start_param) const {
  if (start_param.empty()) return webapp_url_;
  const char separator = webapp_url_.find('?') == std::string::npos ? '?' : '&';
  return webapp_url_ + separator + "startapp=" + std::string(start_param);
}

std::optional<boost::json::object> AppLinks::app_button(std::string_view text,
                                                        std::string_view start_param,
                                                        bool private_chat) const {
  if (webapp_url_.empty()) return std::nullopt;
  if (private_chat) {
    return boost::json::object{{"text", text},
                               {"web_app", boost::json::object{{"url", app_url(start_param)}}}};
  }
  const auto username = bot_username();
  if (username.empty()) return std::nullopt;
  std::string url = "https://t.me/" + username + "?startapp=";
  url += start_param.empty() ? std::string_view("app") : start_param;
  return boost::json::object{{"text", text}, {"url", url}};
}

Button callback_button(std::string_view text, std::string_view data) {
  return Button{{"text", text}, {"callback_data", data}};
}

std::string inline_keyboard(const ButtonRows& rows) {
  boost::json::array keyboard;
  for (const auto& row : rows) {
    if (row.empty()) continue;
    boost::json::array buttons;
    for (const auto& button : row) buttons.push_back(button);
    keyboard.push_back(std::move(buttons));
  }
  if (keyboard.empty()) return {};
  return boost::json::serialize(boost::json::object{{"inline_keyboard", std::move(keyboard)}});
}

}  // namespace tb::telegram
