# The benchmark clip the repository's own scripts publish (sourced; the script defines say() and sets CLIENT_CPUS).
#
#   make_clip FILE   makes FILE once, if it is missing: 60 s of 1280x720 30 fps test picture, H.264 at a constant
#                    1.5 Mbit/s with a keyframe every second and no B-frames, AAC 128 kbit/s stereo, FLV (about
#                    1.65 Mbit/s in all, the rtmp-fanout.sh harness's kind of clip); ffmpeg pinned to CLIENT_CPUS
# shellcheck shell=bash

make_clip() {
  local clip=$1
  [ -f "$clip" ] && return 0
  say "making $clip (60 s, once)"
  mkdir -p "$(dirname "$clip")"
  taskset -c "$CLIENT_CPUS" ffmpeg -hide_banner -nostdin -loglevel error -y \
    -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
    -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -bf 0 -g 30 -keyint_min 30 -sc_threshold 0 \
    -b:v 1500k -minrate 1500k -maxrate 1500k -bufsize 3000k -x264-params nal-hrd=cbr \
    -c:a aac -b:a 128k -ac 2 -f flv "$clip.part"
  mv "$clip.part" "$clip"
}
