-- json.lua: a JSON decoder in plain Lua 5.1 (needs the string library: allow_open_libs).
-- json_parse(text) returns the value; objects become tables, arrays 1-based tables, null nil.

local function fail(text, at, what)
  error("json_parse: " .. what .. " at byte " .. at .. " of " .. #text, 0)
end

local function skip_space(text, at)
  local _, stop = string.find(text, "^[ \t\r\n]*", at)
  return stop + 1
end

local escapes = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n',
                  r = '\r', t = '\t' }

local function utf8_char(code)
  if code < 0x80 then return string.char(code) end
  if code < 0x800 then
    return string.char(0xC0 + math.floor(code / 0x40), 0x80 + code % 0x40)
  end
  if code < 0x10000 then
    return string.char(0xE0 + math.floor(code / 0x1000), 0x80 + math.floor(code / 0x40) % 0x40,
                       0x80 + code % 0x40)
  end
  return string.char(0xF0 + math.floor(code / 0x40000), 0x80 + math.floor(code / 0x1000) % 0x40,
                     0x80 + math.floor(code / 0x40) % 0x40, 0x80 + code % 0x40)
end

local read_value

local function read_string(text, at)
  local parts = {}
  local pos = at + 1
  while true do
    local c = string.sub(text, pos, pos)
    if c == "" then fail(text, pos, "unterminated string") end
    if c == '"' then return table.concat(parts), pos + 1 end
    if c == "\\" then
      local e = string.sub(text, pos + 1, pos + 1)
      if e == "u" then
        local hex = string.sub(text, pos + 2, pos + 5)
        local code = tonumber(hex, 16)
        if not code or #hex ~= 4 then fail(text, pos, "bad \\u escape") end
        pos = pos + 6
        if code >= 0xD800 and code < 0xDC00 and string.sub(text, pos, pos + 1) == "\\u" then
          local low = tonumber(string.sub(text, pos + 2, pos + 5), 16)
          if low and low >= 0xDC00 and low < 0xE000 then
            code = 0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00)
            pos = pos + 6
          end
        end
        table.insert(parts, utf8_char(code))
      elseif escapes[e] then
        table.insert(parts, escapes[e])
        pos = pos + 2
      else
        fail(text, pos, "bad escape")
      end
    else
      local stop = string.find(text, '["\\]', pos) or (#text + 1)
      table.insert(parts, string.sub(text, pos, stop - 1))
      pos = stop
    end
  end
end

local function read_number(text, at)
  local _, stop = string.find(text, "^-?%d+%.?%d*[eE]?[-+]?%d*", at)
  if not stop then fail(text, at, "bad number") end
  local n = tonumber(string.sub(text, at, stop))
  if not n then fail(text, at, "bad number") end
  return n, stop + 1
end

local function read_array(text, at)
  local out = {}
  local pos = skip_space(text, at + 1)
  if string.sub(text, pos, pos) == "]" then return out, pos + 1 end
  while true do
    local v
    v, pos = read_value(text, pos)
    out[#out + 1] = v
    pos = skip_space(text, pos)
    local c = string.sub(text, pos, pos)
    if c == "]" then return out, pos + 1 end
    if c ~= "," then fail(text, pos, "expected ',' or ']'") end
    pos = pos + 1
  end
end

local function read_object(text, at)
  local out = {}
  local pos = skip_space(text, at + 1)
  if string.sub(text, pos, pos) == "}" then return out, pos + 1 end
  while true do
    pos = skip_space(text, pos)
    if string.sub(text, pos, pos) ~= '"' then fail(text, pos, "expected a key") end
    local key
    key, pos = read_string(text, pos)
    pos = skip_space(text, pos)
    if string.sub(text, pos, pos) ~= ":" then fail(text, pos, "expected ':'") end
    out[key], pos = read_value(text, pos + 1)
    pos = skip_space(text, pos)
    local c = string.sub(text, pos, pos)
    if c == "}" then return out, pos + 1 end
    if c ~= "," then fail(text, pos, "expected ',' or '}'") end
    pos = pos + 1
  end
end

local words = { ["true"] = true, ["false"] = false }

read_value = function(text, at)
  local pos = skip_space(text, at)
  local c = string.sub(text, pos, pos)
  if c == "{" then return read_object(text, pos) end
  if c == "[" then return read_array(text, pos) end
  if c == '"' then return read_string(text, pos) end
  if c == "-" or string.find(c, "%d") then return read_number(text, pos) end
  for word, value in pairs(words) do
    if string.sub(text, pos, pos + #word - 1) == word then return value, pos + #word end
  end
  if string.sub(text, pos, pos + 3) == "null" then return nil, pos + 4 end
  fail(text, pos, "unexpected character")
end

function json_parse(text)
  local value, pos = read_value(text, 1)
  pos = skip_space(text, pos)
  if pos <= #text then fail(text, pos, "trailing data") end
  return value
end
