local t = setmetatable({}, {__index = function(t, k) return k end})
local s = tostring(t.x) .. table.concat({1, 2, 3}, ",")
for k, v in pairs(_G) do local _ = k end
error({code = 1})
