-- A mix of the lifecycle's actions: the spokesperson returns a statement for changes, the drafter
-- resubmits it; each thread cycles through its own statements.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
require("common")

function init(args)
  mine = slice(tid)
  k = 0
  spokes = "Bearer " .. os.getenv("BENCH_SPOKES_TOKEN")
  drafter = "Bearer " .. os.getenv("BENCH_DRAFTER_TOKEN")
end

function request()
  local sid = mine[(math.floor(k / 2) % #mine) + 1]
  local body, token
  if k % 2 == 0 then
    body, token = '{"action": "request_changes", "version": 1, "comment": "Bổ sung số liệu."}', spokes
  else
    body, token = '{"action": "submit", "version": 1}', drafter
  end
  k = k + 1
  return wrk.format("POST", "/api/v1/statements/" .. sid .. "/actions",
    {["Authorization"] = token, ["Content-Type"] = "application/json"}, body)
end
