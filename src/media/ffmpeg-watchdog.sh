#!/bin/sh
# Runs $JANUS_WATCHED (ffmpeg or ffprobe; src/media/ffmpeg.ts sets it) in place of this shell,
# with a watcher beside it that kills it (SIGKILL) as soon as the process that started it (janus)
# is gone, even when janus itself was killed with SIGKILL: an ffmpeg child never outlives its run.
# The watcher checks once a second and ends with ffmpeg. Node cannot set PR_SET_PDEATHSIG, hence this.
#
#   JANUS_WATCHED=/usr/bin/ffmpeg src/media/ffmpeg-watchdog.sh -i in.mp4 out.mp4
#
# Linux: "still ours" is ffmpeg's /proc stat start time (unchanged by exec, so a reused pid is never
# killed), "janus is gone" is ffmpeg's parent pid changing (it is re-parented the instant janus
# dies). Elsewhere: `kill -0` on both pids.
bin=${JANUS_WATCHED:?JANUS_WATCHED names the program to run}
parent=$PPID
self=$$
if [ -r "/proc/$self/stat" ]; then
  # fields 4 (ppid) and 22 (start time); the name field (2) of sh and ffmpeg holds no space
  stat_of() { read -r _ _ _ pp _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ st _ < "/proc/$self/stat"; } 2>/dev/null
  stat_of
  born=$st
  (
    while stat_of && [ "$st" = "$born" ]; do
      if [ "$pp" != "$parent" ]; then kill -KILL "$self"; exit 0; fi
      sleep 1
    done
  ) </dev/null >/dev/null 2>&1 &
else
  (
    while kill -0 "$self"; do
      kill -0 "$parent" || { kill -KILL "$self"; exit 0; }
      sleep 1
    done
  ) </dev/null >/dev/null 2>&1 &
fi
exec "$bin" "$@"
