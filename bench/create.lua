-- create.lua - wrk script: POST /api/v2/tickets.json, one new ticket per
-- request with a Korean subject and comment (tickets.lua), as $BENCH_AUTH.
-- 1024 different requests are formatted once per thread, then sent round
-- robin (each still creates a new ticket), so wrk's Lua stays cheap.
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
local T = require("tickets")

local pool, n, i = {}, 1024, 0

setup = T.setup

function init(args)
	T.init(thread_no or 0)
	local headers = T.headers()
	headers["Content-Type"] = "application/json"
	for k = 1, n do
		pool[k] = wrk.format("POST", "/api/v2/tickets.json", headers,
			'{"ticket":' .. T.ticket(true) .. '}')
	end
end

function request()
	i = i % n + 1
	return pool[i]
end
