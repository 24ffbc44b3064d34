-- Wireshark dissector for Lupine's RPC transport over UDP (docs/protocol.md, version 1) and its
-- secure mode (docs/security.md §3.1). Load it with `wireshark -X lua_script:lupine.lua` or copy it
-- into the personal Lua plugins folder; tools/wireshark/README.md says what it shows.
--
-- Plain datagrams are found by a heuristic (magic 0x4C75, version 1, length), on any UDP port.
-- Secure datagrams carry nothing recognisable in the clear, and their packet layout is
-- WireGuard's, so they are decoded on the ports given in the preference "UDP ports" or by
-- "Decode As… lupine" (`tshark -d udp.port==7000,lupine`); an optional heuristic can be enabled.
--
-- One file on purpose: `-X lua_script:` loads a single script.

local lupine = Proto("lupine", "Lupine RPC transport")

---------------------------------------------------------------------------------------------
-- Wire constants (docs/protocol.md §1, §1.1, §1.2; docs/security.md §3.1)

local MAGIC, VERSION, HEADER_BYTES = 0x4C75, 1, 20
local FROM_SERVER, SEALED = 0x01, 0x80
local FRAG, OF_REPLY = 0x01, 0x02

local frame_names = {
  [1] = "Hello", [2] = "Welcome", [3] = "Reset", [4] = "Call", [5] = "Reply", [6] = "Ack",
  [7] = "FragmentAck", [8] = "Working", [9] = "Probe", [10] = "NoSuchCall", [11] = "Busy",
}
local reset_reasons = { [1] = "unknown session", [2] = "wrong epoch" }
local reply_status = {
  [0] = "SUCCESS", [1] = "PROG_UNAVAIL", [2] = "PROG_MISMATCH", [3] = "PROC_UNAVAIL",
  [4] = "GARBAGE_ARGS", [5] = "SYSTEM_ERR", [6] = "AUTH_ERROR",
}
local auth_flavors = { [0] = "AUTH_NONE", [1] = "AUTH_SYS", [2] = "AUTH_SHORT", [3] = "AUTH_DH", [6] = "RPCSEC_GSS" }
local auth_stats = {
  [0] = "AUTH_OK", [1] = "AUTH_BADCRED", [2] = "AUTH_REJECTEDCRED", [3] = "AUTH_BADVERF",
  [4] = "AUTH_REJECTEDVERF", [5] = "AUTH_TOOWEAK", [6] = "AUTH_INVALIDRESP", [7] = "AUTH_FAILED",
}
local secure_names = {
  [1] = "Handshake Initiation", [2] = "Handshake Response", [3] = "Cookie Reply",
  [4] = "Data", [5] = "Session Unknown",
}

---------------------------------------------------------------------------------------------
-- Fields

local f = lupine.fields
f.magic = ProtoField.uint16("lupine.magic", "Magic", base.HEX)
f.version = ProtoField.uint8("lupine.version", "Version")
f.flags = ProtoField.uint8("lupine.flags", "Flags", base.HEX)
f.from_server = ProtoField.bool("lupine.flags.from_server", "From server", 8, nil, FROM_SERVER)
f.sealed = ProtoField.bool("lupine.flags.sealed", "Sealed (reserved)", 8, nil, SEALED)
f.checksum = ProtoField.uint32("lupine.checksum", "Checksum (CRC-32)", base.HEX)
f.checksum_ok = ProtoField.bool("lupine.checksum.ok", "Checksum correct")
f.session = ProtoField.uint64("lupine.session", "Session id", base.HEX)
f.epoch = ProtoField.uint32("lupine.epoch", "Epoch", base.HEX)
f.frames = ProtoField.uint32("lupine.frames", "Frames in datagram")

f.ftype = ProtoField.uint8("lupine.frame.type", "Frame type", base.DEC, frame_names)
f.fflags = ProtoField.uint8("lupine.frame.flags", "Frame flags", base.HEX)
f.fragment = ProtoField.bool("lupine.frame.flags.fragment", "Fragment", 8, nil, FRAG)
f.of_reply = ProtoField.bool("lupine.frame.flags.of_reply", "Of reply", 8, nil, OF_REPLY)
f.flen = ProtoField.uint16("lupine.frame.length", "Body length")

f.max_calls = ProtoField.uint32("lupine.max_calls_in_flight", "Max calls in flight")
f.max_message = ProtoField.uint32("lupine.max_message_bytes", "Max message bytes")
f.reset_reason = ProtoField.uint32("lupine.reset_reason", "Reason", base.DEC, reset_reasons)
f.seq = ProtoField.uint32("lupine.seq", "Sequence number")
f.held_us = ProtoField.uint32("lupine.held_us", "Held (µs)")
f.message_bytes = ProtoField.uint32("lupine.message_bytes", "Message bytes")
f.fragment_index = ProtoField.uint32("lupine.fragment_index", "Fragment index")
f.fragment_size = ProtoField.uint32("lupine.fragment_size", "Fragment size")
f.fragment_count = ProtoField.uint32("lupine.fragment_count", "Fragments in message")
f.reassembled = ProtoField.uint32("lupine.reassembled_in", "Message complete in frame")
f.payload = ProtoField.bytes("lupine.payload", "Payload")
f.floor = ProtoField.uint32("lupine.ack.floor", "Floor (all seqs below settled)")
f.first = ProtoField.uint32("lupine.ack.first", "Range first")
f.last = ProtoField.uint32("lupine.ack.last", "Range last")
f.ack_delay_us = ProtoField.uint32("lupine.ack_delay_us", "Ack delay (µs)")
f.cumulative = ProtoField.uint32("lupine.cumulative", "Cumulative (fragments below received)")
f.range_start = ProtoField.uint32("lupine.range.start", "Range start")
f.range_end = ProtoField.uint32("lupine.range.end", "Range end (exclusive)")
f.retry_ms = ProtoField.uint32("lupine.retry_after_ms", "Retry after (ms)")

f.prog = ProtoField.uint32("lupine.rpc.prog", "Program", base.DEC_HEX)
f.vers = ProtoField.uint32("lupine.rpc.vers", "Version")
f.proc = ProtoField.uint32("lupine.rpc.proc", "Procedure")
f.cred_flavor = ProtoField.uint32("lupine.rpc.cred.flavor", "Credential flavor", base.DEC, auth_flavors)
f.cred_body = ProtoField.bytes("lupine.rpc.cred.body", "Credential body")
f.verf_flavor = ProtoField.uint32("lupine.rpc.verf.flavor", "Verifier flavor", base.DEC, auth_flavors)
f.verf_body = ProtoField.bytes("lupine.rpc.verf.body", "Verifier body")
f.args = ProtoField.bytes("lupine.rpc.args", "Arguments")
f.status = ProtoField.uint32("lupine.rpc.status", "Reply status", base.DEC, reply_status)
f.low = ProtoField.uint32("lupine.rpc.mismatch.low", "Lowest version")
f.high = ProtoField.uint32("lupine.rpc.mismatch.high", "Highest version")
f.auth_stat = ProtoField.uint32("lupine.rpc.auth_stat", "auth_stat", base.DEC, auth_stats)
f.result = ProtoField.bytes("lupine.rpc.result", "Result")

f.s_type = ProtoField.uint8("lupine.secure.type", "Secure packet type", base.DEC, secure_names)
f.s_reserved = ProtoField.bytes("lupine.secure.reserved", "Reserved")
f.s_sender = ProtoField.uint32("lupine.secure.sender_index", "Sender index", base.HEX)
f.s_receiver = ProtoField.uint32("lupine.secure.receiver_index", "Receiver index", base.HEX)
f.s_ephemeral = ProtoField.bytes("lupine.secure.ephemeral", "Ephemeral public key")
f.s_static = ProtoField.bytes("lupine.secure.static", "Static public key (encrypted)")
f.s_timestamp = ProtoField.bytes("lupine.secure.timestamp", "Timestamp (encrypted)")
f.s_mac1 = ProtoField.bytes("lupine.secure.mac1", "mac1")
f.s_mac2 = ProtoField.bytes("lupine.secure.mac2", "mac2")
f.s_empty = ProtoField.bytes("lupine.secure.response_payload", "Status and server data (encrypted)")
f.s_cookie = ProtoField.bytes("lupine.secure.cookie", "Cookie")
f.s_tag = ProtoField.bytes("lupine.secure.tag", "Authentication tag")
f.s_counter = ProtoField.uint64("lupine.secure.counter", "Counter")
f.s_ciphertext = ProtoField.bytes("lupine.secure.ciphertext", "Encrypted datagram")
f.s_length = ProtoField.uint32("lupine.secure.ciphertext_length", "Encrypted bytes")

local ex_checksum = ProtoExpert.new("lupine.checksum.bad", "Bad checksum", expert.group.CHECKSUM, expert.severity.ERROR)
local ex_malformed = ProtoExpert.new("lupine.malformed", "Malformed", expert.group.MALFORMED, expert.severity.ERROR)
local ex_sealed = ProtoExpert.new("lupine.sealed_bit", "SEALED bit set: receivers drop this datagram", expert.group.PROTOCOL, expert.severity.WARN)
lupine.experts = { ex_checksum, ex_malformed, ex_sealed }

lupine.prefs.ports = Pref.range("UDP ports", "", "Ports decoded as Lupine (needed for the secure mode)", 65535)
lupine.prefs.secure_heuristic = Pref.bool("Secure heuristic", false,
  "Also guess secure-mode packets on any port (they look like WireGuard's: off by default)")
lupine.prefs.rpc_view = Pref.bool("Hand calls to the ONC RPC dissector", true,
  "Rebuild an RFC 5531 message (xid = seq) from each whole call and reply for Wireshark's RPC dissector")
lupine.prefs.reassemble_max = Pref.uint("Largest message reassembled (bytes)", 4194304,
  "Fragments of larger messages are shown one by one")
lupine.prefs.reassembly_memory = Pref.uint("Reassembly memory (bytes)", 67108864,
  "Fragment bytes held for reassembly over the whole capture; beyond it fragments are shown one by one")

---------------------------------------------------------------------------------------------
-- Helpers

local function u32(s, at) -- big-endian u32 of a Lua string at 1-based position `at`
  local a, b, c, d = string.byte(s, at, at + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

local function u32be(n) -- a u32 as 4 raw bytes
  return string.char(bit32.extract(n, 24, 8), bit32.extract(n, 16, 8), bit32.extract(n, 8, 8), bit32.extract(n, 0, 8))
end

local crc_table = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if bit32.band(c, 1) == 1 then c = bit32.bxor(0xEDB88320, bit32.rshift(c, 1)) else c = bit32.rshift(c, 1) end
  end
  crc_table[i] = c
end

-- CRC-32 (ISO-HDLC, as zlib.crc32) over bytes 0-3 and 8-end: the checksum field is skipped.
local function datagram_crc(raw)
  local crc = 0xFFFFFFFF
  local function over(from, to)
    for i = from, to do
      crc = bit32.bxor(crc_table[bit32.band(bit32.bxor(crc, string.byte(raw, i)), 0xFF)], bit32.rshift(crc, 8))
    end
  end
  over(1, 4)
  over(9, #raw)
  return bit32.bxor(crc, 0xFFFFFFFF)
end

---------------------------------------------------------------------------------------------
-- Reassembly of fragmented calls and replies (first pass only; results kept per frame)

-- pending[key]: fragments of a message being reassembled; finished[key]: reassembled already
-- (later copies are retransmissions); complete[frame:index]: whole messages, kept for later passes
-- over the capture. Bytes held are bounded by the preference "Reassembly memory".
local pending, finished, complete, held = {}, {}, {}, 0

function lupine.init()
  pending, finished, complete, held = {}, {}, {}, 0
end

-- Returns the whole message (a Lua string) and the frame completing it, once that frame is seen;
-- nil, and a reason when it will never be, otherwise. As a receiver does (docs/protocol.md §1.1),
-- a fragment that disagrees with the first one received about the message's size or fragment
-- size is ignored.
local function reassemble(pinfo, key, at, total, index, size, data)
  local where = pinfo.number .. ":" .. at
  if pinfo.visited then return complete[where], complete[where .. ":in"] end
  if finished[key] then return nil, "a copy of a fragment of a message already reassembled" end
  if total > lupine.prefs.reassemble_max or size == 0 then return nil, "larger than the reassembly limit" end
  local m = pending[key]
  if m == nil then
    m = { total = total, size = size, count = math.ceil(total / size), got = 0, parts = {} }
    pending[key] = m
  elseif m.total ~= total or m.size ~= size then
    return nil, "disagrees with the message's first fragment"
  end
  if index < m.count and m.parts[index + 1] == nil then
    if held + #data > lupine.prefs.reassembly_memory then return nil, "reassembly memory is full" end
    m.parts[index + 1] = data
    m.got = m.got + 1
    held = held + #data
  end
  if m.got < m.count then return nil end
  pending[key], finished[key] = nil, true
  local whole = table.concat(m.parts)
  complete[where], complete[where .. ":in"] = whole, pinfo.number
  return whole, pinfo.number
end

---------------------------------------------------------------------------------------------
-- The RPC payload (docs/protocol.md §1.2)

local rpc_dissector = Dissector.get("rpc")

-- Hands a rebuilt RFC 5531 message to Wireshark's RPC dissector. That dissector matches replies
-- to calls by xid within a conversation, and makes itself the dissector of that conversation
-- (for UDP: of the caller's address and port, whoever it talks to), which would hide every later
-- Lupine datagram of the port. So while it runs, the packet's endpoints are replaced by ones no
-- real packet has: port 0 and an address made of the session id's low 32 bits. Calls and replies
-- of one session then meet in one conversation, whatever ports the datagrams used, and sessions
-- (whose seqs all start at 1) never mix.
local function rpc_view(tvb, pinfo, tree, session_lo)
  local src, dst, sp, dp = pinfo.src, pinfo.dst, pinfo.src_port, pinfo.dst_port
  local fake = Address.ip(string.format("%d.%d.%d.%d", bit32.extract(session_lo, 24, 8),
    bit32.extract(session_lo, 16, 8), bit32.extract(session_lo, 8, 8), bit32.extract(session_lo, 0, 8)))
  pinfo.src, pinfo.dst, pinfo.src_port, pinfo.dst_port = fake, fake, 0, 0
  local ok, err = pcall(Dissector.call, rpc_dissector, tvb, pinfo, tree)
  pinfo.src, pinfo.dst, pinfo.src_port, pinfo.dst_port = src, dst, sp, dp
  if not ok then tree:add_proto_expert_info(ex_malformed, "ONC RPC view: " .. tostring(err)) end
end

local function opaque_auth(tvb, tree, at, flavor_field, body_field)
  if at + 8 > tvb:len() then return nil end
  tree:add(flavor_field, tvb(at, 4))
  local len = tvb(at + 4, 4):uint()
  local padded = len + (4 - len % 4) % 4
  if len > 400 or at + 8 + padded > tvb:len() then return nil end
  if len > 0 then tree:add(body_field, tvb(at + 8, len)) end
  return at + 8 + padded
end

-- Decodes a call payload; returns a summary for the Info column.
local function call_payload(tvb, pinfo, tree, seq, header)
  local t = tree:add(lupine, tvb(), "Call body (RFC 5531 call_body without xid and rpcvers)")
  if tvb:len() < 20 then t:add_proto_expert_info(ex_malformed, "call body too short") return "" end
  t:add(f.prog, tvb(0, 4))
  t:add(f.vers, tvb(4, 4))
  t:add(f.proc, tvb(8, 4))
  local at = opaque_auth(tvb, t, 12, f.cred_flavor, f.cred_body)
  at = at and opaque_auth(tvb, t, at, f.verf_flavor, f.verf_body)
  if at == nil then t:add_proto_expert_info(ex_malformed, "bad opaque_auth") return "" end
  if at < tvb:len() then t:add(f.args, tvb(at)) end
  if lupine.prefs.rpc_view and rpc_dissector then
    local msg = u32be(seq) .. u32be(0) .. u32be(2) .. tvb:raw()
    rpc_view(ByteArray.new(msg, true):tvb("ONC RPC view of the call"), pinfo, tree, header.session_lo)
  end
  return string.format(" prog=0x%x vers=%d proc=%d", tvb(0, 4):uint(), tvb(4, 4):uint(), tvb(8, 4):uint())
end

-- Decodes a reply payload; returns a summary for the Info column.
local function reply_payload(tvb, pinfo, tree, seq, header)
  local t = tree:add(lupine, tvb(), "Reply body")
  if tvb:len() < 4 then t:add_proto_expert_info(ex_malformed, "reply body too short") return "" end
  local status = tvb(0, 4):uint()
  t:add(f.status, tvb(0, 4))
  if status == 2 and tvb:len() >= 12 then
    t:add(f.low, tvb(4, 4))
    t:add(f.high, tvb(8, 4))
  elseif status == 6 and tvb:len() >= 8 then
    t:add(f.auth_stat, tvb(4, 4))
  elseif status == 0 and tvb:len() > 4 then
    t:add(f.result, tvb(4))
  end
  if lupine.prefs.rpc_view and rpc_dissector and status <= 6 and (status ~= 6 or tvb:len() >= 8) then
    -- RFC 5531 reply: MSG_ACCEPTED with an AUTH_NONE verifier (Lupine sends none) and the
    -- accept_stat Lupine's status equals, or MSG_DENIED / AUTH_ERROR with its auth_stat.
    local head = u32be(seq) .. u32be(1)
    local msg = status == 6 and (head .. u32be(1) .. u32be(1) .. tvb:raw(4))
      or (head .. u32be(0) .. u32be(0) .. u32be(0) .. tvb:raw())
    rpc_view(ByteArray.new(msg, true):tvb("ONC RPC view of the reply"), pinfo, tree, header.session_lo)
  end
  return " " .. (reply_status[status] or ("status " .. status))
end

---------------------------------------------------------------------------------------------
-- Frames (docs/protocol.md §1.1)

local function ranges(tvb, tree, at, a_field, b_field, label)
  local n = 0
  while at + 8 <= tvb:len() do
    local r = tree:add(lupine, tvb(at, 8), string.format("%s [%d, %d%s", label, tvb(at, 4):uint(), tvb(at + 4, 4):uint(), label == "Range" and "]" or ")"))
    r:add(a_field, tvb(at, 4))
    r:add(b_field, tvb(at + 4, 4))
    at, n = at + 8, n + 1
  end
  return n
end

-- One Call or Reply frame: seq, [heldUs], [fragment fields], payload.
local function message_frame(tvb, pinfo, tree, kind, flags, header, at)
  local seq = tvb(0, 4):uint()
  tree:add(f.seq, tvb(0, 4))
  local o = 4
  if kind == 5 then tree:add(f.held_us, tvb(4, 4)) o = 8 end
  local info = string.format("%s seq=%d", frame_names[kind], seq)
  if bit32.band(flags, FRAG) == 0 then
    if tvb:len() <= o then tree:add_proto_expert_info(ex_malformed, "no payload") return info end
    local body = tvb(o):tvb()
    return info .. (kind == 4 and call_payload(body, pinfo, tree, seq, header) or reply_payload(body, pinfo, tree, seq, header))
  end
  if tvb:len() < o + 12 then tree:add_proto_expert_info(ex_malformed, "fragment fields missing") return info end
  local total, index, size = tvb(o, 4):uint(), tvb(o + 4, 4):uint(), tvb(o + 8, 4):uint()
  tree:add(f.message_bytes, tvb(o, 4))
  tree:add(f.fragment_index, tvb(o + 4, 4))
  tree:add(f.fragment_size, tvb(o + 8, 4))
  if size > 0 then tree:add(f.fragment_count, math.ceil(total / size)):set_generated() end
  local raw = ""
  if tvb:len() > o + 12 then
    tree:add(f.payload, tvb(o + 12))
    raw = tvb(o + 12):raw()
  end
  info = string.format("%s fragment %d/%d", info, index + 1, size > 0 and math.ceil(total / size) or 0)
  local key = table.concat({ header.session, header.dir, kind, seq }, ":")
  local whole, done_in = reassemble(pinfo, key, at, total, index, size, raw)
  if whole == nil and done_in ~= nil then tree:add(lupine, tvb(o, 12), "Not reassembled: " .. done_in):set_generated() end
  if whole ~= nil then
    tree:add(f.reassembled, done_in):set_generated()
    local rtvb = ByteArray.new(whole, true):tvb("Reassembled Lupine message")
    info = info .. " (complete)" .. (kind == 4 and call_payload(rtvb, pinfo, tree, seq, header) or reply_payload(rtvb, pinfo, tree, seq, header))
  end
  return info
end

local function frame_body(tvb, pinfo, tree, kind, flags, header, at)
  local len = tvb:len()
  local need = ({ [2] = 8, [3] = 4, [4] = 4, [5] = 8, [6] = 4, [7] = 12, [8] = 8, [9] = 4, [10] = 4, [11] = 8 })[kind] or 0
  if len < need then return (frame_names[kind] or "?") .. " (short: ignored)" end
  if kind == 1 then return "Hello" end
  if kind == 2 then
    tree:add(f.max_calls, tvb(0, 4))
    tree:add(f.max_message, tvb(4, 4))
    return string.format("Welcome max_calls=%d", tvb(0, 4):uint())
  end
  if kind == 3 then
    tree:add(f.reset_reason, tvb(0, 4))
    return "Reset " .. (reset_reasons[tvb(0, 4):uint()] or "?")
  end
  if kind == 4 or kind == 5 then return message_frame(tvb, pinfo, tree, kind, flags, header, at) end
  if kind == 6 then
    tree:add(f.floor, tvb(0, 4))
    local n = ranges(tvb, tree, 4, f.first, f.last, "Range")
    return string.format("Ack floor=%d ranges=%d", tvb(0, 4):uint(), n)
  end
  if kind == 7 then
    tree:add(f.seq, tvb(0, 4))
    tree:add(f.ack_delay_us, tvb(4, 4))
    tree:add(f.cumulative, tvb(8, 4))
    local n = ranges(tvb, tree, 12, f.range_start, f.range_end, "Fragments")
    return string.format("FragmentAck seq=%d%s cumulative=%d ranges=%d", tvb(0, 4):uint(),
      bit32.band(flags, OF_REPLY) ~= 0 and " (reply)" or "", tvb(8, 4):uint(), n)
  end
  tree:add(f.seq, tvb(0, 4))
  if kind == 8 then tree:add(f.held_us, tvb(4, 4)) end
  if kind == 11 then tree:add(f.retry_ms, tvb(4, 4)) end
  return string.format("%s seq=%d", frame_names[kind] or "?", tvb(0, 4):uint())
end

---------------------------------------------------------------------------------------------
-- Datagrams

local function dissect_plain(tvb, pinfo, tree)
  local len = tvb:len()
  pinfo.cols.protocol = "Lupine"
  local t = tree:add(lupine, tvb(), "Lupine transport")
  t:add(f.magic, tvb(0, 2))
  t:add(f.version, tvb(2, 1))
  local flags = tvb(3, 1):uint()
  local ft = t:add(f.flags, tvb(3, 1))
  ft:add(f.from_server, tvb(3, 1))
  ft:add(f.sealed, tvb(3, 1))
  if bit32.band(flags, SEALED) ~= 0 then ft:add_proto_expert_info(ex_sealed) end
  local ck = t:add(f.checksum, tvb(4, 4))
  local ok = datagram_crc(tvb:raw()) == tvb(4, 4):uint()
  ck:add(f.checksum_ok, ok):set_generated()
  if not ok then ck:add_proto_expert_info(ex_checksum) end
  t:add(f.session, tvb(8, 8))
  t:add(f.epoch, tvb(16, 4))
  local header = {
    session = tostring(tvb(8, 8):uint64()),
    session_lo = tvb(12, 4):uint(),
    dir = bit32.band(flags, FROM_SERVER),
  }
  local infos, at, n = {}, HEADER_BYTES, 0
  while at + 4 <= len do
    local kind, fflags, blen = tvb(at, 1):uint(), tvb(at + 1, 1):uint(), tvb(at + 2, 2):uint()
    if at + 4 + blen > len then
      t:add_proto_expert_info(ex_malformed, "frame runs past the datagram: the rest is ignored")
      break
    end
    n = n + 1
    local fr = t:add(lupine, tvb(at, 4 + blen), string.format("Frame %d: %s", n, frame_names[kind] or ("type " .. kind)))
    fr:add(f.ftype, tvb(at, 1))
    local fl = fr:add(f.fflags, tvb(at + 1, 1))
    fl:add(f.fragment, tvb(at + 1, 1))
    fl:add(f.of_reply, tvb(at + 1, 1))
    fr:add(f.flen, tvb(at + 2, 2))
    local info
    if frame_names[kind] == nil then
      info = "type " .. kind .. " (skipped)"
    else
      local body = blen > 0 and tvb(at + 4, blen):tvb() or ByteArray.new():tvb("empty")
      info = frame_body(body, pinfo, fr, kind, fflags, header, n)
    end
    fr:append_text(" — " .. info)
    infos[#infos + 1] = info
    at = at + 4 + blen
  end
  if at ~= len and at + 4 > len then t:add_proto_expert_info(ex_malformed, "trailing bytes") end
  t:add(f.frames, n):set_generated()
  pinfo.cols.protocol = "Lupine"
  pinfo.cols.info = string.format("%s %s", bit32.band(flags, FROM_SERVER) ~= 0 and "S→C" or "C→S", table.concat(infos, ", "))
  return len
end

local function secure_kind(tvb)
  local len = tvb:len()
  if len < 8 or tvb(1, 3):uint() ~= 0 then return nil end
  local k = tvb(0, 1):uint()
  if (k == 1 and len == 148) or (k == 2 and len >= 61 and len <= 317) or (k == 3 and len == 40)
    or (k == 4 and len >= 32) or (k == 5 and len == 8) then return k end
  return nil
end

local function dissect_secure(tvb, pinfo, tree, k)
  local len = tvb:len()
  pinfo.cols.protocol = "Lupine-S"
  local t = tree:add(lupine, tvb(), "Lupine secure transport: " .. secure_names[k])
  t:add(f.s_type, tvb(0, 1))
  t:add(f.s_reserved, tvb(1, 3))
  local info = secure_names[k]
  if k == 1 then
    t:add(f.s_sender, tvb(4, 4))
    t:add(f.s_ephemeral, tvb(8, 32))
    t:add(f.s_static, tvb(40, 48))
    t:add(f.s_timestamp, tvb(88, 28))
    t:add(f.s_mac1, tvb(116, 16))
    t:add(f.s_mac2, tvb(132, 16))
    info = string.format("%s sender=0x%08x", info, tvb(4, 4):uint())
  elseif k == 2 then
    t:add(f.s_sender, tvb(4, 4))
    t:add(f.s_receiver, tvb(8, 4))
    t:add(f.s_ephemeral, tvb(12, 32))
    t:add(f.s_empty, tvb(44))
    info = string.format("%s sender=0x%08x receiver=0x%08x", info, tvb(4, 4):uint(), tvb(8, 4):uint())
  elseif k == 3 then
    t:add(f.s_receiver, tvb(4, 4))
    t:add(f.s_cookie, tvb(8, 16))
    t:add(f.s_tag, tvb(24, 16))
  elseif k == 4 then
    t:add(f.s_receiver, tvb(4, 4))
    t:add(f.s_counter, tvb(8, 8))
    if len > 32 then t:add(f.s_ciphertext, tvb(16, len - 32)) end
    t:add(f.s_length, len - 32):set_generated()
    t:add(f.s_tag, tvb(len - 16, 16))
    info = string.format("%s receiver=0x%08x counter=%s, %d bytes", info, tvb(4, 4):uint(), tostring(tvb(8, 8):uint64()), len - 32)
  else
    t:add(f.s_receiver, tvb(4, 4))
  end
  pinfo.cols.info = info
  return len
end

local function is_plain(tvb)
  return tvb:len() >= HEADER_BYTES and tvb(0, 2):uint() == MAGIC and tvb(2, 1):uint() == VERSION
end

function lupine.dissector(tvb, pinfo, tree)
  if is_plain(tvb) then return dissect_plain(tvb, pinfo, tree) end
  local k = secure_kind(tvb)
  if k ~= nil then return dissect_secure(tvb, pinfo, tree, k) end
  return 0
end

local function heuristic(tvb, pinfo, tree)
  if is_plain(tvb) then
    dissect_plain(tvb, pinfo, tree)
    return true
  end
  if lupine.prefs.secure_heuristic then
    local k = secure_kind(tvb)
    if k ~= nil then
      dissect_secure(tvb, pinfo, tree, k)
      return true
    end
  end
  return false
end

lupine:register_heuristic("udp", heuristic)
local udp_port = DissectorTable.get("udp.port")
udp_port:add_for_decode_as(lupine)

local current_ports = ""
function lupine.prefs_changed()
  if current_ports ~= "" then udp_port:remove(current_ports, lupine) end
  current_ports = tostring(lupine.prefs.ports)
  if current_ports ~= "" then udp_port:add(current_ports, lupine) end
end
