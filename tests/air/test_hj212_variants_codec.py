"""Issue 22: the codec tolerant in what it accepts — hand-written packets shaped like real ones
(built here from the standard's rules, their CRCs computed): 2005-era headers without QN and/or
Flag, the length field counting the CRC and CR LF, long data segments, the Modbus and the
byte-swapped CRCs; and refused packets keeping their raw bytes."""

import pytest

from gridgov.air.hj212 import codec
from gridgov.air.hj212.codec import FrameError, FrameReader, crc16, crc_modbus, parse_segment

# HJ/T 212-2005 upload: no QN, no Flag, 2005-era codes (PM25, PM10…).
UPLOAD_2005 = (
    "ST=22;CN=2011;PW=123456;MN=88888880000001;CP=&&DataTime=20200615103000;"
    "PM25-Rtd=35.2,PM25-Flag=N;PM10-Rtd=61.0,PM10-Flag=N;SO2-Rtd=8.1,SO2-Flag=N&&"
)
# A logger that sends a QN but no Flag (hourly data).
NO_FLAG = (
    "QN=20240301100000123;ST=22;CN=2061;PW=123456;MN=A18HB0001;CP=&&DataTime=20240301090000;"
    "a34004-Avg=41.0,a34004-Min=30.2,a34004-Max=55.3,a34004-Flag=N&&"
)


def long_segment(size: int) -> str:
    """A 2017 upload padded with factor groups to exactly `size` bytes."""
    head = "QN=20240301100000123;ST=22;CN=2061;PW=123456;MN=LONG0001;Flag=5;CP=&&"
    head += "DataTime=20240301090000;a34004-Avg=41.0,a34004-Flag=N"
    groups = []
    k = 0
    body = head
    while len(body) + 2 < size:
        code = f"a99{k:03d}"
        group = f";{code}-Avg=1.0,{code}-Flag=N"
        if len(body) + len(group) + 2 > size:
            group = ";x=" + "9" * (size - len(body) - 2 - 3)
        groups.append(group)
        body = head + "".join(groups)
        k += 1
    return body + "&&"


def test_crc_variants_have_their_known_check_values():
    assert crc_modbus(b"123456789") == 0x4B37  # the Modbus CRC-16's check value
    assert codec.crc_of(b"123456789", codec.CRC_SWAPPED) == codec.swap16(crc16(b"123456789"))
    assert codec.crc_variant(UPLOAD_2005.encode(), crc_modbus(UPLOAD_2005.encode())) == "modbus"


def test_a_2005_header_without_qn_and_flag_is_read():
    packet = parse_segment(UPLOAD_2005.encode())
    assert packet.qn == "" and packet.v2005
    assert packet.wants_answer  # no Flag: answered, or the logger re-sends it forever
    assert packet.items()["PM25-Rtd"] == "35.2"
    # The answer is the 2005 form: no QN to echo, Flag=0.
    answer = codec.answer_9014(packet)
    seg = answer[6:-6].decode()
    assert seg == "ST=91;CN=9014;PW=123456;MN=88888880000001;Flag=0;CP=&&&&"
    assert answer[-6:-2] == b"%04X" % crc16(seg.encode())


def test_a_header_without_only_flag_is_read_and_answered_with_its_qn():
    packet = parse_segment(NO_FLAG.encode())
    assert packet.qn == "20240301100000123" and packet.v2005 and packet.wants_answer
    answer = parse_segment(codec.answer_9014(packet)[6:-6])
    assert (answer.qn, answer.cn, answer.flag) == ("20240301100000123", "9014", 4)


def test_a_1623_byte_segment_is_read_by_default():
    text = long_segment(1623)
    assert len(text) == 1623
    out = list(FrameReader().feed(codec.frame(text)))
    assert out == [text.encode()]
    assert parse_segment(out[0]).items()["a34004-Avg"] == "41.0"
    # A smaller limit (the setting) still refuses it.
    refused = list(FrameReader(max_segment=1024).feed(codec.frame(text)))
    assert next(o.reason for o in refused if isinstance(o, FrameError)) == "too_long"


def test_a_length_counting_the_crc_is_read_at_once_and_reported():
    data = UPLOAD_2005.encode()
    packet = b"##%04d" % (len(data) + 6) + data + b"%04X" % crc16(data) + b"\r\n"
    assert packet == codec.frame(UPLOAD_2005, length=codec.LENGTH_WITH_CRC)
    reader = FrameReader()
    assert list(reader.feed(packet)) == [data]  # not left waiting for 6 more bytes
    assert (reader.crc, reader.length) == ("hj212", "with_crc")
    # Next to standard packets, in one stream.
    out = list(reader.feed(codec.frame(NO_FLAG) + packet + codec.frame(NO_FLAG)))
    assert out == [NO_FLAG.encode(), data, NO_FLAG.encode()]
    assert reader.length == "data"


@pytest.mark.parametrize("variant", ["modbus", "swapped"])
def test_crc_variants_are_read_and_named(variant):
    data = NO_FLAG.encode()
    given = crc_modbus(data) if variant == "modbus" else codec.swap16(crc16(data))
    packet = b"##%04d" % len(data) + data + b"%04X" % given + b"\r\n"
    assert packet == codec.frame(NO_FLAG, crc=variant)
    reader = FrameReader()
    assert list(reader.feed(packet)) == [data]
    assert reader.crc == variant
    both = codec.frame(NO_FLAG, crc=variant, length=codec.LENGTH_WITH_CRC)
    assert list(reader.feed(both)) == [data]
    assert (reader.crc, reader.length) == (variant, "with_crc")


def test_refused_packets_keep_their_raw_bytes_bounded():
    bad = codec.frame(NO_FLAG)[:-6] + b"0000\r\n"
    (error,) = list(FrameReader().feed(bad))
    assert error.reason == "crc" and error.raw == bad
    huge = b"##9999" + b"MN=X1;" + b"x" * 5000
    errors = [o for o in FrameReader(max_segment=1024).feed(huge) if isinstance(o, FrameError)]
    assert errors[0].reason == "too_long"
    assert errors[0].raw.startswith(b"##9999MN=X1;") and len(errors[0].raw) == codec.RAW_KEEP
