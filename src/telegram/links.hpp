// Where the bot's buttons lead: the Mini App (WEBAPP_URL) and t.me links to the bot, and the
// inline keyboards that carry them (reply_markup JSON).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace tb::telegram {

class AppLinks {
 public:
  explicit AppLinks(std::string webapp_url) : webapp_url_(std::move(webapp_url)) {}

  // Learnt from getMe at start; read by every thread that builds buttons.
  void set_bot_username(std::string username);
  std::string bot_username() const;

  const std::string& webapp_url() const { return webapp_url_; }
  // WEBAPP_URL opening at `start_param` ("ticket_42"; empty: the app's start).
  std::string app_url(std::string_view start_param) const;

  // A button opening the Mini App at `start_param`: a web_app button in a private chat; in a
  // group (where Telegram allows no web_app buttons) a t.me/<bot>?startapp= link. Nothing
  // when no WEBAPP_URL is set (or, in a group, the bot's username is not known yet).
  std::optional<boost::json::object> app_button(std::string_view text, std::string_view start_param,
                                                bool private_chat) const;

 private:
  std::string webapp_url_;
  mutable std::mutex mutex_;
  std::string bot_username_;
};

using Button = boost::json::object;
using ButtonRows = std::vector<std::vector<Button>>;

Button callback_button(std::string_view text, std::string_view data);
// reply_markup for an inline keyboard; empty rows are dropped, and no rows give "".
std::string inline_keyboard(const ButtonRows& rows);

}  // namespace tb::telegram
