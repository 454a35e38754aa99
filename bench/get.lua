-- get.lua - wrk script: GET $BENCH_PATH with $BENCH_AUTH.  A "{id}" in the
-- path becomes a random id in [$BENCH_ID_MIN, $BENCH_ID_MAX] (ticket show):
-- each thread formats 4096 such requests once and sends them round robin,
-- so wrk's Lua costs little CPU next to the server on the same cores.  Any
-- other path (search, lists) is wrk's static request, with no Lua per request.
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
local T = require("tickets")

local path = os.getenv("BENCH_PATH") or "/healthz"
local head, tail = path:match("^(.-){id}(.*)$")

if not head then
	wrk.path = path
	for k, v in pairs(T.headers()) do
		wrk.headers[k] = v
	end
else
	local lo = tonumber(os.getenv("BENCH_ID_MIN") or "1")
	local hi = tonumber(os.getenv("BENCH_ID_MAX") or "1")
	local pool, n, i = {}, 4096, 0

	setup = T.setup

	function init(args)
		T.init(thread_no or 0)
		local headers = T.headers()
		for k = 1, n do
			pool[k] = wrk.format("GET", head .. math.random(lo, hi) .. tail, headers)
		end
	end

	function request()
		i = i % n + 1
		return pool[i]
	end
end
