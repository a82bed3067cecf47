-- wrk script for `make bench` (bench/pages.py). Everything comes from the environment:
--
--   BENCH_COOKIE   Cookie header for every request (a signed-in person's session)
--   BENCH_HTMX     "1" adds "HX-Request: true", as htmx sends it
--   BENCH_SAVERS   one line per wrk thread, tab-separated: path, cookie, form body
--                  without the version, the audit's current version. When set, every
--                  request is a POST of that form with the version counting up after
--                  each response, so each save claims the next version (a real save,
--                  never the conflict path).
--                  Needs one connection per thread: a thread's saves must not overlap.
--   BENCH_ORIGIN   Origin header of those POSTs (CSRF checks it like a browser's)
--
-- It counts every response's status and body bytes per thread and, when wrk is done,
-- prints one line "BENCH_RESULT {json}" that bench/pages.py reads.

local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if os.getenv("BENCH_HTMX") == "1" then
  wrk.headers["HX-Request"] = "true"
end

local savers = {}
for line in (os.getenv("BENCH_SAVERS") or ""):gmatch("[^\n]+") do
  local path, jar, body, version = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(%d+)$")
  assert(path, "BENCH_SAVERS: cannot read line " .. line)
  table.insert(savers, { path = path, cookie = jar, body = body, version = tonumber(version) })
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  local saver = savers[#threads]
  if #savers > 0 then
    assert(saver, "BENCH_SAVERS needs one line per wrk thread")
    thread:set("save_path", saver.path)
    thread:set("save_cookie", saver.cookie)
    thread:set("save_body", saver.body)
    thread:set("version", saver.version)
  end
end

statuses = {}
body_bytes = 0

if #savers > 0 then
  local origin = os.getenv("BENCH_ORIGIN") or ""

  function request()
    local headers = {
      ["Cookie"] = save_cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["HX-Request"] = "true",
      ["Origin"] = origin,
    }
    return wrk.format("POST", save_path, headers, save_body .. "&version=" .. version)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  body_bytes = body_bytes + #body
  -- Counted here, not in request(): wrk calls request() once more than it sends, to
  -- check the request before the run. One connection per thread: nothing overlaps.
  if save_path then
    version = version + 1
  end
end

function done(summary, latency, requests)
  local counts, bytes = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
    bytes = bytes + thread:get("body_bytes")
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "body_bytes": %d, '
      .. '"statuses": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d}, "latency_us": {"p50": %d, "p90": %d, "p99": %d, '
      .. '"max": %d, "mean": %.1f, "stdev": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, bytes, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, latency.stdev
  ))
end
