-- wrk script: each thread sends its own share of the pre-signed requests in make_requests.py's file, each once.
local threads = {}
local requests_file = os.getenv("BENCH_REQUESTS")

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
  thread:set("count", 0)
end

function init(args)
  local total = tonumber(os.getenv("BENCH_THREADS"))
  requests = {}
  local n = 0
  for line in io.lines(requests_file) do
    if n % total == index then
      local id, ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(requests, wrk.format("POST", "/webhook/signed", {
        ["Content-Type"] = "application/json",
        ["webhook-id"] = id,
        ["webhook-timestamp"] = ts,
        ["webhook-signature"] = sig,
      }, body .. "\n"))
    end
    n = n + 1
  end
  position = 0
end

function request()
  position = position + 1
  if position > #requests then
    position = 1  -- wrapped: the rest are answered as duplicates; the script reports it
  end
  return requests[position]
end

function response(status, headers, body)
  if status ~= 202 then
    failures = (failures or 0) + 1
  end
end
