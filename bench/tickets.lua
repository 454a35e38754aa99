-- tickets.lua - shared code of the wrk scripts: random help-desk tickets in
-- Korean and English (words from phrases.txt, same as preload.mjs), the
-- Authorization header, and one random seed per wrk thread.
--
-- Environment (read by every wrk thread):
--   BENCH_DIR      the bench/ directory (to find phrases.txt)
--   BENCH_AUTH     the Authorization header value ("Basic ...")
--   BENCH_GROUPS   comma-separated group ids to spread tickets over ("1,2")
--   BENCH_AGENTS   comma-separated agent ids some tickets are assigned to
local M = {}
local P = {}

local function load_phrases()
	local dir = os.getenv("BENCH_DIR") or "bench"
	local section
	for line in io.lines(dir .. "/phrases.txt") do
		local s = line:match("^%[(.+)%]$")
		if s then
			section = s
			P[s] = {}
		elseif section and line ~= "" and not line:match("^#") then
			table.insert(P[section], line)
		end
	end
end

local function ids(env, default)
	local out = {}
	for v in string.gmatch(os.getenv(env) or default, "%d+") do
		out[#out + 1] = tonumber(v)
	end
	return out
end

local groups, agents

-- seed: a number distinct per thread (see M.setup)
function M.init(seed)
	math.randomseed(os.time() * 100 + seed)
	for _ = 1, 10 do math.random() end
	load_phrases()
	groups = ids("BENCH_GROUPS", "1,2")
	agents = ids("BENCH_AGENTS", "")
end

local function pick(t)
	return t[math.random(#t)]
end

local function sentences(pool, n)
	local s = {}
	for i = 1, n do s[i] = pick(pool) end
	return table.concat(s, " ")
end

-- One ticket object as JSON text.  korean: true, false, or nil for either.
function M.ticket(korean)
	if korean == nil then korean = math.random(2) == 1 end
	local subject, body
	if korean then
		subject = pick(P.ko_subjects)
		body = sentences(P.ko_sentences, math.random(2, 4)) .. " 주문번호 " ..
			math.random(100000, 999999)
	else
		subject = pick(P.en_subjects)
		body = sentences(P.en_sentences, math.random(2, 4)) .. " Order #" ..
			math.random(100000, 999999)
	end
	local f = {
		'"subject":"' .. subject .. '"',
		'"comment":{"body":"' .. body .. '"}',
		'"group_id":' .. pick(groups),
		'"priority":"' .. pick(P.priorities) .. '"',
	}
	if #agents > 0 and math.random(2) == 1 then
		f[#f + 1] = '"assignee_id":' .. pick(agents)
	end
	if math.random(10) <= 4 then
		f[#f + 1] = '"tags":["' .. pick(P.tags) .. '"]'
	end
	return "{" .. table.concat(f, ",") .. "}"
end

local threads = {}
function M.setup(thread)
	threads[#threads + 1] = thread
	thread:set("thread_no", #threads)
end

function M.threads()
	return threads
end

function M.headers()
	local h = { ["Accept"] = "application/json" }
	local a = os.getenv("BENCH_AUTH")
	if a then h["Authorization"] = a end
	return h
end

return M
