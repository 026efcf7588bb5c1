-- wrk script for bench/run.
--   BENCH_PATH=/api/v1/organisations/  BENCH_IDS=1000000  -> GET PATH{random id in 1..IDS}
--   BENCH_PATH=/x.json (BENCH_IDS unset or 0)             -> GET PATH as is
-- Each thread seeds its own generator (uniform ids). done() prints one line
--   WRK requests=R duration_us=D rps=X p50_us=A p90_us=B p99_us=C errors=E non2xx=unknown
-- that bench/run parses; wrk's own report is printed too.
local path = os.getenv("BENCH_PATH") or "/"
local ids = tonumber(os.getenv("BENCH_IDS") or "0") or 0
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("tid", counter)
end

function init(args)
	math.randomseed(os.time() * 7919 + (tid or 0) * 104729)
end

function request()
	if ids > 0 then
		return wrk.format("GET", path .. math.random(1, ids))
	end
	return wrk.format("GET", path)
end

function done(summary, latency, requests)
	local e = summary.errors
	local errors = e.connect + e.read + e.write + e.timeout
	io.write(string.format(
		"WRK requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d errors=%d status_errors=%d\n",
		summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(90), latency:percentile(99), errors, e.status))
end
