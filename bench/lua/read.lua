-- Reads of unreleased statements by the spokesperson: each one is access-logged on the ledger.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
require("common")

function init(args)
  mine = slice(tid)
  k = 0
  spokes = "Bearer " .. os.getenv("BENCH_SPOKES_TOKEN")
end

function request()
  local sid = mine[(k % #mine) + 1]
  k = k + 1
  return wrk.format("GET", "/api/v1/statements/" .. sid, {["Authorization"] = spokes})
end
