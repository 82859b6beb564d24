-- wrk script for POST /telegram/webhook: each request one new update (a unique update_id, a
-- plain message from one of 5,000 people), with the secret header from the environment
-- (WEBHOOK_SECRET), as Telegram would post them.
local next_thread = 0
local secret = os.getenv("WEBHOOK_SECRET") or ""

function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  counter = (thread_number or 0) * 100000000 + 1
end

function request()
  counter = counter + 1
  local person = 2000000 + counter % 5000
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"date":1764650000,' ..
    '"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,' ..
    '"first_name":"Bench","language_code":"en"},"text":"hello %d"}}',
    counter, counter, person, person, counter)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Telegram-Bot-Api-Secret-Token"] = secret,
  }, body)
end
