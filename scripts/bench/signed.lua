-- wrk script: each thread sends its own share of the pre-signed requests in make_requests.py's file, each once.
-- BENCH_SCHEME=hex sends them to adnanh/webhook (BENCH_PATH) with an X-Hub-Signature-256 header instead.
local threads = {}
local requests_file = os.getenv("BENCH_REQUESTS")
local scheme = os.getenv("BENCH_SCHEME") or "standard-webhooks"
local path = os.getenv("BENCH_PATH") or "/webhook/signed"

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local total = tonumber(os.getenv("BENCH_THREADS"))
  requests = {}
  local n = 0
  for line in io.lines(requests_file) do
    if n % total == index then
      local id, ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers
      if scheme == "hex" then
        headers = {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sig}
      else
        headers = {["Content-Type"] = "application/json", ["webhook-id"] = id, ["webhook-timestamp"] = ts, ["webhook-signature"] = sig}
      end
      table.insert(requests, wrk.format("POST", path, headers, body .. "\n"))
    end
    n = n + 1
  end
  position = 0
end

function request()
  position = position + 1
  if position > #requests then
    position = 1  -- wrapped: the rest are answered as duplicates (bench.sh sizes the file so this does not happen)
  end
  return requests[position]
end
