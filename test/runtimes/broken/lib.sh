# Shared by the broken runtimes: each wraps a real runtime and breaks exactly
# one rule. Sourced after the wrapper sets nothing; provides:
#   REAL   the runtime being wrapped ($OCICOMPLY_REAL_RUNTIME, default runc)
#   CMD    the operation (create, start, state, kill, delete, ...)
#   ID     the container id (last argument for most operations)
#   real   runs the real runtime with the original arguments
REAL=${OCICOMPLY_REAL_RUNTIME:-runc}
CMD=
skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case "$a" in
    --root|--log|--log-format) skip=1 ;;
    -*) ;;
    *) CMD=$a; break ;;
  esac
done
ROOT=
prev=
for a in "$@"; do
  [ "$prev" = --root ] && ROOT=$a
  prev=$a
done
real() { "$REAL" "$@"; }
# the container id: the argument after the operation that is not an option
container_id() {
  seen=0; skip=0
  for a in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    if [ "$seen" = 0 ]; then [ "$a" = "$CMD" ] && seen=1; case "$a" in --root) skip=1 ;; esac; continue; fi
    case "$a" in --bundle|-b|--pid-file|--console-socket) skip=1 ;; -*) ;; *) echo "$a"; return ;; esac
  done
}
