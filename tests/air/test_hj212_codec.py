"""HJ 212-2017 framing: the standard's CRC test vectors, the frame reader on garbage, cut and
corrupt packets, and the header checks (control characters, over-long fields)."""

import pytest

from gridgov.air.hj212 import codec
from gridgov.air.hj212.codec import FrameError, FrameReader, crc16, frame, parse_segment

STANDARD = (
    "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&"
)
FIELD = (
    "QN=20180427125809000;ST=22;CN=2011;PW=123456;MN=LXHB0CS0306310;Flag=5;CP=&&"
    "DataTime=20180427125809;a34004-Rtd=75600.000,a34004-Flag=N;a34002-Rtd=140600.000,"
    "a34002-Flag=N;a34001-Rtd=178000.000,a34001-Flag=N;a01001-Rtd=24.8,a01001-Flag=N;"
    "a01002-Rtd=46.8,a01002-Flag=N;a01006-Rtd=101.380,a01006-Flag=N;a01007-Rtd=0.0,"
    "a01007-Flag=N;a01008-Rtd=25,a01008-Flag=N;LA-Rtd=57.9,LA-Flag=N&&"
)


def test_crc_test_vectors():
    assert len(STANDARD) == 101
    assert f"{crc16(STANDARD.encode()):04X}" == "1C80"
    assert f"{crc16(FIELD.encode()):04X}" == "5440"
    assert frame(STANDARD) == b"##0101" + STANDARD.encode() + b"1C80\r\n"


def segments(reader, data):
    return list(reader.feed(data))


def test_reader_resynchronises_after_garbage():
    reader = FrameReader()
    out = segments(reader, b"\x00\xffnoise" + frame(STANDARD) + b"#x#" + frame(FIELD))
    assert [o for o in out if not isinstance(o, FrameError)] == [STANDARD.encode(), FIELD.encode()]
    assert {o.reason for o in out if isinstance(o, FrameError)} == {"garbage"}
    # A lone "#" just before a header does not swallow the header.
    out = segments(FrameReader(), b"#" + frame(FIELD))
    assert out[-1] == FIELD.encode()


def test_reader_waits_for_a_cut_packet_and_reads_it_whole():
    reader = FrameReader()
    data = frame(STANDARD)
    assert segments(reader, data[:3]) == []
    assert segments(reader, data[3:50]) == []
    assert segments(reader, data[50:]) == [STANDARD.encode()]
    assert reader.buffer == b""


def test_reader_drops_a_bad_crc_and_a_bad_length_and_goes_on():
    reader = FrameReader()
    bad_crc = frame(STANDARD)[:-6] + b"0000\r\n"
    short = b"##0050" + STANDARD.encode() + b"1C80\r\n"  # the length lies
    out = segments(reader, bad_crc + short + frame(STANDARD))
    reasons = [o.reason for o in out if isinstance(o, FrameError)]
    assert reasons[0] == "crc"
    assert "length" in reasons
    assert out[-1] == STANDARD.encode()


def test_reader_refuses_an_over_long_packet():
    reader = FrameReader(max_segment=1024)
    out = segments(reader, b"##2000" + b"x" * 100)
    assert next(o.reason for o in out if isinstance(o, FrameError)) == "too_long"


def test_parse_segment_reads_the_header_and_data_area():
    packet = parse_segment(FIELD.encode())
    assert (packet.qn, packet.st, packet.cn, packet.pw, packet.mn) == (
        "20180427125809000",
        "22",
        "2011",
        "123456",
        "LXHB0CS0306310",
    )
    assert packet.wants_answer and not packet.is_split
    assert packet.items()["a34004-Rtd"] == "75600.000"


@pytest.mark.parametrize(
    "segment",
    [
        "QN=20180427125809000;ST=22;CN=2011;PW=1;MN=A\x01B;Flag=5;CP=&&&&",  # control char
        "QN=20180427125809000;ST=22;CN=2011;PW=1;MN=" + "M" * 25 + ";Flag=5;CP=&&&&",
        "QN=20180427125809000;ST=22;CN=2011;PW=" + "p" * 33 + ";MN=M;Flag=5;CP=&&&&",
        "QN=2018x;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&&&",
        "QN=20180427125809000;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&DataTime=1",  # not closed
        "QN=20180427125809000;ST=22;CN=2011;PW=1;MN=M;Flag=900;CP=&&&&",
        "QN=20180427125809000;CN=2011;PW=1;MN=M;Flag=5;CP=&&&&",  # no ST
        "QN=20180427125809000;ST=22;PW=1;MN=M;Flag=5;CP=&&&&",  # no CN
    ],
)
def test_malformed_headers_are_refused(segment):
    with pytest.raises(FrameError) as caught:
        parse_segment(segment.encode())
    assert caught.value.reason == "malformed"


def test_answer_and_history_request():
    packet = parse_segment(FIELD.encode())
    answer = parse_segment(codec.answer_9014(packet)[6:-6])
    assert (answer.qn, answer.st, answer.cn, answer.flag) == (packet.qn, "91", "9014", 4)
    import datetime as dt

    from gridgov.air.models import CST

    begin = dt.datetime(2026, 11, 20, 8, 0, tzinfo=CST)
    request = parse_segment(
        codec.history_request("M", "p", begin, begin + dt.timedelta(hours=1), cn="2061")[6:-6]
    )
    assert request.cn == "2061"
    assert request.items() == {"BeginTime": "20261120080000", "EndTime": "20261120090000"}
