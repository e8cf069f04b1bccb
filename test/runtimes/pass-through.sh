# Sourced by the broken runtimes written in JavaScript, from their sh line,
# with ONLY_ON set to the one command each changes: every other call goes
# straight to the real runtime ($OCICOMPLY_REAL_RUNTIME, default runc) without
# starting Node.js, which costs seconds inside an emulated VM. The command is
# found as edit-config.mjs finds it: the first argument that is not an option,
# --root taking a value.
only_on_cmd=
only_on_skip=0
for a in "$@"; do
  if [ "$only_on_skip" = 1 ]; then only_on_skip=0; continue; fi
  case "$a" in
    --root) only_on_skip=1 ;;
    -*) ;;
    *) only_on_cmd=$a; break ;;
  esac
done
[ "$only_on_cmd" = "$ONLY_ON" ] || exec "${OCICOMPLY_REAL_RUNTIME:-runc}" "$@"
