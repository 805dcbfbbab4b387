local d = response.load():data()
local t = luaTable.new()
t:set("n", 1.5); t:set("l", {1, 2, {x = 3}}); t:set("nil", luaNil.new())
d:set("t", t)
local l = d:get("list") or luaList.new()
l:set(l:len(), "x"); l:del(0)
for i = 0, d:keys():len() - 1 do d:get(d:keys():get(i)) end
d:set("self", d)
