-- base64.lua: base64 in plain Lua 5.1 (needs the string library: allow_open_libs).
-- from_base64(s) reads the standard or the URL alphabet, with or without padding;
-- to_base64(s) writes the standard alphabet with padding.

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local values = {}
for i = 1, 64 do values[string.sub(alphabet, i, i)] = i - 1 end
values["-"] = 62
values["_"] = 63

function from_base64(s)
  local out, acc, bits = {}, 0, 0
  for i = 1, #s do
    local v = values[string.sub(s, i, i)]
    if v then
      acc = acc * 64 + v
      bits = bits + 6
      if bits >= 8 then
        bits = bits - 8
        local byte = math.floor(acc / 2 ^ bits)
        acc = acc - byte * 2 ^ bits
        out[#out + 1] = string.char(byte)
      end
    end
  end
  return table.concat(out)
end

function to_base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = string.byte(s, i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = 2 + (b and 1 or 0) + (c and 1 or 0)
    for k = 1, 4 do
      if k <= chars then
        local v = math.floor(n / 2 ^ (6 * (4 - k))) % 64
        out[#out + 1] = string.sub(alphabet, v + 1, v + 1)
      else
        out[#out + 1] = "="
      end
    end
  end
  return table.concat(out)
end
