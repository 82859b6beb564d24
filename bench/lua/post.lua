-- wrk script for bench/run.sh: requests other than a plain GET of one URL.
-- Everything comes from the environment (the token comes as wrk's -H header):
--   BENCH_METHOD  HTTP method (default GET)
--   BENCH_PATH    request path; every "{id}" in it becomes, per request, a random
--                 one of BENCH_IDS (so posts spread over many tickets)
--   BENCH_IDS     ids separated by anything but digits (needed if BENCH_PATH has {id})
--   BENCH_BODY    request body, sent as application/json (optional)
--   BENCH_SEED    seed of the random ids (default 1: the same sequence for both servers)
--   BENCH_RATE    requests per second over all BENCH_CONNECTIONS connections (optional):
--                 each connection then waits between a response and its next request, a
--                 random, exponentially distributed time, as independent clients would

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY") or ""

wrk.method = method
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

if path:find("{id}", 1, true) then
  local ids = {}
  for id in (os.getenv("BENCH_IDS") or ""):gmatch("%d+") do
    ids[#ids + 1] = id
  end
  if #ids == 0 then
    error("BENCH_PATH contains {id} but BENCH_IDS has no ids")
  end
  math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1"))

  function request()
    local id = ids[math.random(#ids)]
    return wrk.format(nil, (path:gsub("{id}", id)))
  end
else
  wrk.path = path
end

local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate then
  -- wrk waits whole milliseconds: rounding up or down at random keeps the mean.
  local mean_ms = 1000 * tonumber(os.getenv("BENCH_CONNECTIONS") or "1") / rate
  function delay()
    return math.floor(-math.log(1 - math.random()) * mean_ms + math.random())
  end
end
