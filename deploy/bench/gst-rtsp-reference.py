#!/usr/bin/python3
"""Reference RTSP server for deploy/bench/rtsp-fanout.sh: GStreamer's RTSP server (GstRtspServer) with ONE shared
media at rtsp://127.0.0.1:<port>/<name>.

The media takes the live MPEG-TS stream a publisher sends to udp://127.0.0.1:<udp-port> (the benchmark's ffmpeg
`-re -stream_loop -1 -c copy`, the same clip and the same publisher command Cascade gets over RTMP), demuxes it and
packetizes H.264 (RFC 6184) and AAC (RFC 3640, mpeg4-generic) with no transcoding. Every player shares one pipeline.

  gst-rtsp-reference.py --port 18554 --udp-port 19600 [--name test] [--duration 3600]

Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-{base,good,bad}; run it with the
system Python (/usr/bin/python3), which is the one python3-gi is built for. Stops by itself after --duration
seconds, on SIGTERM and on SIGINT.
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--port", type=int, required=True, help="RTSP port on 127.0.0.1")
ap.add_argument("--udp-port", type=int, required=True, help="where the publisher sends MPEG-TS (127.0.0.1)")
ap.add_argument("--name", default="test", help="mount point: rtsp://127.0.0.1:<port>/<name>")
ap.add_argument("--duration", type=float, default=3600, help="exit after this many seconds")
ap.add_argument("--udp-buffer", type=int, default=4 * 1024 * 1024, help="udpsrc receive buffer, bytes")
a = ap.parse_args()

Gst.init(None)
# udpsrc is a live source: the stream goes out at the publisher's real-time pace, as in Cascade. tsdemux takes the
# timestamps from the PES headers (ignore-pcr): with the PCR-based clock recovery the sinks dropped about 2 % of the
# frames as late (147 of 150 frames per 5 s reached a player), which would charge the reference for a loss that is
# not about fan-out.
launch = (
    "( udpsrc address=127.0.0.1 port={port} buffer-size={buf} caps=\"video/mpegts,systemstream=(boolean)true,"
    "packetsize=(int)188\" ! tsdemux name=d ignore-pcr=true "
    "d. ! queue ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 "
    "d. ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97 )"
).format(port=a.udp_port, buf=a.udp_buffer)

server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(str(a.port))
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(launch)
factory.set_shared(True)  # one pipeline for every player
server.get_mount_points().add_factory("/" + a.name, factory)
if server.attach(None) == 0:
    sys.exit("gst-rtsp-reference: cannot listen on 127.0.0.1:%d" % a.port)

loop = GLib.MainLoop()
for sig in (signal.SIGTERM, signal.SIGINT):
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, loop.quit)
GLib.timeout_add_seconds(max(1, int(a.duration)), loop.quit)
# The session pool drops sessions whose timeout passed; players keep theirs alive with OPTIONS/GET_PARAMETER.
GLib.timeout_add_seconds(2, lambda: server.get_session_pool().cleanup() >= 0)
print("gst-rtsp-reference: rtsp://127.0.0.1:%d/%s <- udp://127.0.0.1:%d (%s)"
      % (a.port, a.name, a.udp_port, Gst.version_string()), flush=True)
loop.run()
