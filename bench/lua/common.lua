-- Shared by the scripts: each wrk thread keeps one connection and its own slice of statement ids,
-- so its requests run in order and never race another thread's.
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function slice(tid)
  local all, mine = {}, {}
  for id in string.gmatch(os.getenv("BENCH_IDS") or "", "%d+") do all[#all + 1] = id end
  local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
  for i = 1, #all do
    if (i - 1) % threads == tid then mine[#mine + 1] = all[i] end
  end
  return mine
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
