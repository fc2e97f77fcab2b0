#!/usr/bin/env bash
# Makes the MPEG-TS captures that TsToFramesCaptureTest reads, and prints the ffprobe counts the test compares with.
# Made with Debian 12: ffmpeg 5.1 (libx264 0.164, libx265 3.5, its native AAC encoder) and GStreamer 1.22
# (x264enc from gstreamer1.0-plugins-ugly, avenc_aac from gstreamer1.0-libav, mpegtsmux from -bad).
# Re-running them gives other bytes (encoder versions, settings): update the constants of the test with the counts.
set -euo pipefail
cd "$(dirname "$0")"

# 2 s of 160x90 H.264 (a keyframe each second, B-frames) and 48 kHz mono AAC; ffmpeg's muxer puts ~16 ADTS frames in
# each audio PES and writes video PES packets unbounded (PES_packet_length 0).
ffmpeg -v error -y -f lavfi -i testsrc2=size=160x90:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 2 \
  -c:v libx264 -g 25 -b:v 100k -c:a aac -b:a 32k -f mpegts ffmpeg_h264_aac.ts
# The same with H.265 (x265 opens its second GOP with a CRA picture).
ffmpeg -v error -y -f lavfi -i testsrc2=size=160x90:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 2 \
  -c:v libx265 -x265-params log-level=error -g 25 -b:v 100k -c:a aac -b:a 32k -f mpegts ffmpeg_h265_aac.ts
# GStreamer: 50 frames of 160x90 H.264 and 100 buffers of 44.1 kHz AAC; mpegtsmux writes bounded video PES packets, one
# ADTS frame per audio PES, other PIDs (0x41, 0x42) and timestamps that start at 3600 s.
gst-launch-1.0 -q -e videotestsrc num-buffers=50 ! video/x-raw,format=I420,width=160,height=90,framerate=25/1 \
  ! x264enc key-int-max=25 bitrate=64 ! h264parse ! mpegtsmux name=m ! filesink location=gst_h264_aac.ts \
  audiotestsrc num-buffers=100 ! audioconvert ! avenc_aac bitrate=32000 ! aacparse ! m.

# Per stream: packets, keyframes, first DTS/PTS, sums of PTS and DTS, bytes (AAC: ADTS headers included).
for f in ffmpeg_h264_aac.ts ffmpeg_h265_aac.ts gst_h264_aac.ts; do
  echo "$f ($(stat -c %s "$f") bytes)"
  ffprobe -v error -show_packets -of csv=p=0 -show_entries packet=stream_index,pts,dts,size,flags "$f" | grep -v '^$' \
    | awk -F, '{ s=$1; n[s]++; if ($5 ~ /K/) k[s]++; if (!(s in fd)) { fd[s]=$3; fp[s]=$2 }
                 sp[s]+=$2; sd[s]+=$3; b[s]+=$4 }
               END { for (s in n) printf "  stream %s: %d packets, %d key, first dts %s pts %s, pts sum %.0f, dts sum %.0f, %d bytes\n",
                                         s, n[s], k[s], fd[s], fp[s], sp[s], sd[s], b[s] }'
done
# The decoder configuration records ffmpeg writes for the same streams in MP4 (compared with ours):
#   ffmpeg -i X.ts -map 0:v -c copy [-tag:v hvc1] X.mp4, then the body of its avcC / hvcC box.
