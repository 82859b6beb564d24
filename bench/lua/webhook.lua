-- wrk script for POST /telegram/webhook: each request one new update (a unique update_id, a
-- plain message from one of 5,000 people), with the secret header from the environment
-- (WEBHOOK_SECRET), as Telegram would post them. With WEBHOOK_PAUSE_MS, each connection waits
-- that long before each request, which paces the load (40 connections pausing 20 ms offer
-- ~2,000 updates/s) instead of sending as fast as the server answers.
local next_thread = 0
local secret = os.getenv("WEBHOOK_SECRET") or ""
local pause = tonumber(os.getenv("WEBHOOK_PAUSE_MS") or "0")

if pause > 0 then
  function delay()
    return pause
  end
end

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
