-- A mix of the lifecycle's actions: the spokesperson returns a statement for changes, the drafter
-- resubmits it; each thread cycles through its own statements.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
require("common")

function init(args)
  mine = slice(tid)
  k = 0
  -- The statements a previous run (an earlier round) left returned for changes: they await the drafter.
  returned = {}
  for id in string.gmatch(os.getenv("BENCH_RETURNED") or "", "%d+") do returned[id] = true end
  spokes = "Bearer " .. os.getenv("BENCH_SPOKES_TOKEN")
  drafter = "Bearer " .. os.getenv("BENCH_DRAFTER_TOKEN")
end

function request()
  sid = mine[(math.floor(k / 2) % #mine) + 1]
  k = k + 1
  local body, token = '{"action": "request_changes", "version": 1, "comment": "Bổ sung số liệu."}', spokes
  if returned[sid] then
    body, token = '{"action": "submit", "version": 1}', drafter
  end
  return wrk.format("POST", "/api/v1/statements/" .. sid .. "/actions",
    {["Authorization"] = token, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  -- One connection per thread: this answers the request just made, on statement `sid`.
  if status == 200 then returned[sid] = not returned[sid] end
end
