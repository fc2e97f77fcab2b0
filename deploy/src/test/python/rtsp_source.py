#!/usr/bin/python3
"""An RTSP source for RtspRelayIT: GStreamer's RTSP server (gst-rtsp-server, written by nobody here) serving
H.264 + AAC test signals on 127.0.0.1:PORT/PATH, over TCP or UDP only (so a pull that asked for the other fails),
optionally behind Basic or Digest authentication. Each PLAY prints "play tunnelled=True|False": whether the
session came tunnelled over HTTP (gst-rtsp-server accepts QuickTime's GET/POST tunnels on its RTSP port). Runs until
killed.

usage: rtsp_source.py PORT PATH tcp|udp [basic|digest USER PASSWORD]
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PIPELINE = (
    "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bframes=0 "
    "! rtph264pay name=pay0 pt=96 config-interval=1 "
    "audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=44100,channels=2 ! audioconvert "
    "! avenc_aac ! rtpmp4gpay name=pay1 pt=97 )"
)


def on_client(server, client):
    def on_play(client, context):
        print("play tunnelled=%s" % client.get_connection().is_tunneled(), flush=True)
    client.connect("play-request", on_play)


def main():
    port, path, transport = sys.argv[1], sys.argv[2], sys.argv[3]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP if transport == "tcp" else GstRtsp.RTSPLowerTrans.UDP)
    if len(sys.argv) > 4:
        method, user, password = sys.argv[4], sys.argv[5], sys.argv[6]
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "user")
        if method == "digest":
            auth.add_digest(user, password, token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        else:
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        server.set_auth(auth)
        factory.add_role_from_structure(Gst.Structure.from_string(
            "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
    server.get_mount_points().add_factory("/" + path, factory)
    server.connect("client-connected", on_client)
    if server.attach(None) == 0:
        sys.exit("cannot listen on port " + port)
    print("serving rtsp://127.0.0.1:%s/%s over %s" % (port, path, transport), flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
