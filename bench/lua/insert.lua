-- The stack ceiling: one INSERT transaction per request.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
require("common")

function request()
  return wrk.format("POST", "/insert")
end
