-- decorator.lua: the CE fixture's /lua/modify_response/* endpoints (no case: they call a
-- service on the Internet). "result" says whether the source's message reports success.
function post_proxy_decorator(resp)
  local data = resp:data()
  local message = data:get("source_result"):get("message")
  if string.find(message, "Successfully", 1, true) then
    data:set("result", "success")
  else
    data:set("result", "failed")
  end
end
