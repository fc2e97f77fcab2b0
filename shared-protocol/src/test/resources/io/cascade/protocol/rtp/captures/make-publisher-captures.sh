#!/usr/bin/env bash
# Makes the publisher captures that RtpToFramesCaptureTest reads, and prints the ffprobe counts it compares with.
# Debian 12: ffmpeg 5.1 with libx264 0.164, libx265 3.5 and its native AAC encoder. Re-running gives other bytes:
# update the test's constants with what this prints.
#
# Each capture is an encoded source file sent with `-re -c copy` as ffmpeg's RTP muxer sends a RECORD session: two RTP
# streams (video on P, audio on P+2, the RTCP of each on the next port), received on 127.0.0.1 by the small Python
# receiver below, which writes every datagram as it arrives in RTSP interleaved framing: '$', a channel (0 video RTP,
# 1 video RTCP, 2 audio RTP, 3 audio RTCP), a 16-bit length and the datagram.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

receive() { # receive OUT PORT: until 2 s without a datagram
  python3 - "$1" "$2" <<'PY'
import select, socket, struct, sys
out, base = sys.argv[1], int(sys.argv[2])
socks = []
for ch in range(4):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", base + ch))
    socks.append(s)
with open(out, "wb") as f:
    started = False
    while True:
        ready, _, _ = select.select(socks, [], [], 2.0 if started else 20.0)
        if not ready:
            break
        started = True
        for s in ready:
            d = s.recv(65536)
            f.write(b"$" + struct.pack(">BH", socks.index(s), len(d)) + d)
PY
}

send() { # send NAME SOURCE [ffmpeg output options]
  local name=$1 src=$2 port=$((20000 + RANDOM % 20000 * 2 / 4 * 4))
  shift 2
  receive "$name.rtpx" $port &
  local rx=$!
  sleep 0.5
  ffmpeg -v error -re -i "$src" -map 0:v -c copy "$@" -f rtp "rtp://127.0.0.1:$port" \
    -map 0:a -c copy -f rtp "rtp://127.0.0.1:$((port + 2))" -sdp_file "$name.sdp"
  wait $rx
}

probe() { # packets, keyframes, and the sums of pts and dts (in each stream's time base) per stream
  echo "$1 ($(stat -c %s "$2") bytes):"
  for s in v a; do
    ffprobe -v error -select_streams $s -show_entries stream=time_base -of csv=p=0 "$2" | sed "s/^/  $s time_base /"
    ffprobe -v error -select_streams $s -show_entries packet=pts,dts,flags -of csv=p=0 "$2" | grep -v '^$' \
      | awk -F, -v s=$s '{ n++; if ($3 ~ /K/) k++; sp += $1; sd += $2 }
                         END { printf "  %s: %d packets, %d key, pts sum %.0f, dts sum %.0f\n", s, n, k, sp, sd }'
  done
}

src() { # src OUT.ts [x264/x265 options]: 2 s of 160x90 at 25 fps, a keyframe each second, 48 kHz mono AAC
  local out=$1
  shift
  ffmpeg -v error -y -f lavfi -i testsrc2=size=160x90:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 2 \
    "$@" -g 25 -b:v 100k -c:a aac -b:a 32k -ac 1 "$tmp/$out"
}

# MP4 sources: the RTP muxer takes the AudioSpecificConfig and the parameter sets for the SDP from their sample entries.
# libx264 defaults (3 B-frames, b-pyramid normal), the parameter sets in band too (repeat-headers)
src x264_default.mp4 -c:v libx264 -x264-params repeat-headers=1
# -bf 2 without b-pyramid; the parameter sets in the SDP only
src x264_bf2.mp4 -c:v libx264 -bf 2 -x264-params b-pyramid=none
# libx265 defaults (4 B-frames, b-pyramid), the parameter sets in band too
src x265_default.mp4 -c:v libx265 -x265-params log-level=error:repeat-headers=1
for c in x264_default.mp4 x264_bf2.mp4 x265_default.mp4; do
  probe "$c" "$tmp/$c"
done
send x264_default "$tmp/x264_default.mp4"
send x264_bf2 "$tmp/x264_bf2.mp4"
send x265_default "$tmp/x265_default.mp4"
ls -l ./*.rtpx ./*.sdp
