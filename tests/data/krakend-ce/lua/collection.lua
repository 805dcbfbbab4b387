-- collection.lua: the CE fixture's /lua/* endpoints (lua_1, lua_2). Nothing runs at load time,
-- so the file also loads without the open libraries (lua_2).

-- lua_1, backend pre: the bearer token's "id" claim goes at the end of the backend URL.
function pre_backend(req)
  local auth = req:headers("Authorization")
  local first = string.find(auth, ".", 1, true)
  local second = string.find(auth, ".", first + 1, true)
  local claims = json_parse(from_base64(string.sub(auth, first + 1, second - 1)))
  req:url(req:url() .. claims["id"])
end

-- lua_1, proxy post: the collection's size and its paths (a Lua array, 1-based), instead of it.
function post_proxy(resp)
  local data = resp:data()
  local items = data:get("collection")
  local count = items:len()
  local paths = {}
  for i = 0, count - 1 do
    table.insert(paths, items:get(i):get("path"))
  end
  data:set("total", count)
  data:set("paths", paths)
  data:del("collection")
end

-- lua_2, backend pre: refuse before any backend is asked.
function json_error()
  custom_error('{"msg":"I refuse to make any coffee, I am a teapot!"}', 418)
end
