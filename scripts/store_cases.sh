#!/usr/bin/env bash
# The store and CLI cases of issue 10, run against one tree: one line per case with the exit
# code and the first line the command printed. Usage: scripts/store_cases.sh [TREE] > cases.txt
# (TREE defaults to this checkout; point it at an older checkout to see the "before" column).
# Needs the sample corpus ingested into fresh temporary data directories (a few minutes).
set -uo pipefail
TREE=$(cd "${1:-$(dirname "$0")/..}" && pwd)
PY=${PY:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SAMPLE="$TREE/ingest/sample_corpus"
export HOME="$WORK/home" PYTHONPATH="$TREE"
# The default mode answers with the local model: point it at an assembled copy if there is one.
MODEL=$(ls "$(dirname "$PY")"/../../.cache/models/*.gguf 2>/dev/null | head -n 1)
if [ -n "$MODEL" ]; then export VEILLE_LOCAL_MODEL="$MODEL"; fi
mkdir -p "$HOME"
cd "$TREE" || exit 1

V() { "$PY" -m tui.cli "$@"; }
case_line() {  # name, then the command; prints "name | rc | first line of stdout+stderr"
  local name=$1; shift
  local out rc
  out=$("$@" 2>&1); rc=$?
  out=$(printf '%s' "$out" | grep -v '^\s*$' | head -n 1 | cut -c1-150 | sed 's/\x1b/<ESC>/g; s/\x07/<BEL>/g')
  printf '%s | rc=%s | %s\n' "$name" "$rc" "$out"
}
fresh() {  # a data dir with a copy of the sample corpus ingested
  local dd="$WORK/$1"; rm -rf "$dd" "$WORK/$1-corpus"
  cp -r "$SAMPLE" "$WORK/$1-corpus"
  VEILLE_DATA_DIR="$dd" V ingest --quiet "$WORK/$1-corpus" >/dev/null 2>&1
  echo "$dd"
}

DD=$(fresh base); C="$WORK/base-corpus"
export VEILLE_DATA_DIR="$DD"
case_line "version" V --version
case_line "bad argument exit code" V ask
case_line "empty question" V ask --mode extractive ""
case_line "whitespace question" V ask --mode extractive "   "
case_line "-k -1" V ask --mode extractive -k -1 "Combien de magasins Hema a-t-il ouverts ?"
case_line "-k 100000" V ask --mode extractive -k 100000 "Combien de magasins Hema a-t-il ouverts ?"
case_line "ask --json, default mode" bash -c "$PY -m tui.cli ask --json 'Combien de magasins Hema a-t-il ouverts ?' | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d[\"mode\"], d[\"refused\"], d[\"answer\"][:80])'"
case_line "ingest C C" V ingest --quiet "$C" "$C"
case_line "VEILLE_DATA_DIR empty" env VEILLE_DATA_DIR= "$PY" -m tui.cli status
case_line "VEILLE_DATA_DIR a file" env VEILLE_DATA_DIR="$SAMPLE/002_35a95145e6805c4a.txt" "$PY" -m tui.cli status
case_line "VEILLE_CONFIG missing" env VEILLE_CONFIG="$WORK/none.toml" "$PY" -m tui.cli status
case_line "chroma URL password" env VEILLE_CHROMA_URL=http://me:hunter2@127.0.0.1:9 "$PY" -m tui.cli status

# Derived state that could drift.
rm -rf "$DD/chroma"
case_line "lost chroma folder, ingest again" V ingest --quiet "$C"
case_line "  then status" V status
mkdir -p "$DD/bm25-veille-embedded.old/x" && touch "$DD/bm25-veille-embedded.old/x/f"
case_line "leftover bm25 .old folder, ask" V ask --mode extractive "Combien de magasins Hema a-t-il ouverts ?"
X="$WORK/x"; Y="$WORK/y"; mkdir -p "$X" "$Y"
echo "Zorglub vend des parapluies violets à Lyon depuis 1990." > "$Y/zorglub.txt"
cp "$SAMPLE/002_35a95145e6805c4a.txt" "$X/"
DD2="$WORK/rebuild"; export VEILLE_DATA_DIR="$DD2"
V ingest --quiet "$X" >/dev/null 2>&1; V ingest --quiet "$Y" >/dev/null 2>&1
case_line "rebuild X after X and Y" V ingest --rebuild --quiet "$X"
case_line "  a question only Y answers" V ask --mode extractive "Que vend Zorglub à Lyon ?"
A="$WORK/a"; mkdir -p "$A/sub"; echo "Le dirigeable Zeppelin transporte 40 passagers." > "$A/sub/s.txt"
cp "$SAMPLE/000_ee5a528fd7f4285d.txt" "$A/"
export VEILLE_DATA_DIR="$WORK/nested"
V ingest --quiet "$A" >/dev/null 2>&1; V ingest --quiet "$A/sub" >/dev/null 2>&1; rm "$A/sub/s.txt"
case_line "nested roots: removed file" V ingest --quiet "$A"
case_line "  its question" V ask --mode extractive "Combien de passagers transporte le dirigeable Zeppelin ?"

# Hostile folders.
H="$WORK/hostile"; mkdir -p "$H"; export VEILLE_DATA_DIR="$WORK/hostile-data"
cp "$SAMPLE/002_35a95145e6805c4a.txt" "$H/"
printf 'Soci\xe9t\xe9 Latin vend.' > "$H/latin.html"
printf 'D\xe9j\xe0 vu.' > "$H/deja.txt"
printf '<p>Le code &amp;lt;b&amp;gt; reste du texte.</p>' > "$H/entities.html"
ln -s /etc/os-release "$H/innocent.txt"
printf 'Hema a ouvert 22 magasins.' > "$H/esc"$'\x1b'"]0;pwned"$'\x07'".txt"
cp "$H/002_35a95145e6805c4a.txt" "$H/copy.txt"
case_line "hostile folder ingest" V ingest "$H"
case_line "  skipped lines" bash -c "$PY -m tui.cli ingest --rebuild '$H' 2>&1 | grep -c skipped"
case_line "  symlink out of the folder indexed? (passages from innocent.txt)" bash -c "$PY -m tui.cli ask --json --mode extractive 'What is the PRETTY_NAME of the operating system?' | grep -c '\"source\": \"innocent.txt\"'"
case_line "  latin-1 html stored as" bash -c "$PY -m tui.cli ask --json --mode extractive 'Que vend la Société Latin ?' | $PY -c 'import json,sys; d=json.load(sys.stdin); print([p[\"text\"][:30] for p in d[\"passages\"] if p[\"source\"]==\"latin.html\"])'"
case_line "  cp1252 'D\xe9j\xe0 vu.' stored as" bash -c "$PY -m tui.cli ask --json --mode extractive 'Déjà vu ?' | $PY -c 'import json,sys; d=json.load(sys.stdin); print([p[\"text\"][:30] for p in d[\"passages\"] if p[\"source\"]==\"deja.txt\"])'"
case_line "  html entities stored as" bash -c "$PY -m tui.cli ask --json --mode extractive 'Quel code reste du texte ?' | $PY -c 'import json,sys; d=json.load(sys.stdin); print([p[\"text\"][:40] for p in d[\"passages\"] if p[\"source\"]==\"entities.html\"])'"
case_line "  identical files as [1] and [2]" bash -c "$PY -m tui.cli ask --json --mode extractive 'Combien de magasins Hema a-t-il ouverts ?' | $PY -c 'import json,sys; d=json.load(sys.stdin); t=[p[\"text\"] for p in d[\"passages\"]]; print(len(t)-len(set(t)), \"duplicate passages\")'"
case_line "  escape sequence in a file name (raw ESC bytes printed)" bash -c "$PY -m tui.cli ask --mode extractive 'Combien de magasins Hema a-t-il ouverts ?' 2>&1 | grep -c $'\x1b'"
B="$WORK/badname"; mkdir -p "$B"; cp "$SAMPLE/002_35a95145e6805c4a.txt" "$B/"
"$PY" -c "open(b'$B/bad\xffbyte.txt','w').write('Un fichier au nom invalide.')"
case_line "a file name that is not UTF-8" V ingest "$B"
mkfifo "$WORK/fifo.txt"
case_line "a fifo given directly" timeout 60 "$PY" -m tui.cli ingest "$WORK/fifo.txt"
ln -s "$WORK/loop" "$WORK/loop"
case_line "a symlink loop given directly" V ingest "$WORK/loop"
printf '{"id": "x", "question": "caf\xe9 ?", "answers": [], "answerable": false}\n' > "$WORK/latin.jsonl"
case_line "eval on a non-UTF-8 set" V eval "$WORK/latin.jsonl" --mode extractive
export VEILLE_DATA_DIR="$DD"
"$PY" -c "f=open('$DD/chroma/chroma.sqlite3','r+b'); f.seek(100); f.write(b'\x00'*16384)"
case_line "damaged chroma.sqlite3, ask" V ask --mode extractive "Combien de magasins Hema a-t-il ouverts ?"
case_line "damaged chroma.sqlite3, rebuild" V ingest --rebuild
