#!/usr/bin/env bash
# Runs every fuzz target of mockcommand for FUZZTIME each (default 5m) and
# prints a table of executions and findings. Crashers land in each
# package's testdata/fuzz/<Target>/ and become seeds.
#   bench/fuzz.sh            # all targets, 5 minutes each
#   FUZZTIME=30s bench/fuzz.sh FuzzParse
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5m}
log=$(mktemp -d)
targets=(
  "./internal/query FuzzParse"
  "./internal/store FuzzCompileQuery"
  "./internal/api FuzzScheduleJobBody" "./internal/api FuzzBulkJobBody"
  "./internal/api FuzzJobTypeCreateBody" "./internal/api FuzzJobTypeUpdateBody"
  "./internal/api FuzzAgentIDsBody" "./internal/api FuzzRunSelectionBody"
  "./internal/api FuzzUnscheduleBody" "./internal/api FuzzReenrollmentBody"
  "./internal/api FuzzSeedBody" "./internal/api FuzzAdminAgentBody"
  "./internal/api FuzzFaultBody" "./internal/api FuzzClockBody"
  "./internal/api FuzzJobModeBody" "./internal/api FuzzCompleteJobBody"
  "./internal/api FuzzStoreTypeBody" "./internal/api FuzzStoreBody"
  "./internal/api FuzzStoreUpdateBody" "./internal/api FuzzStoreActionBodies"
  "./internal/api FuzzStoreContentsBody" "./internal/api FuzzEnrollmentBody"
  "./internal/api FuzzRevokeBody" "./internal/api FuzzMetadataFieldBody"
  "./internal/pki FuzzParseCSR" "./internal/api FuzzPFXEnrollmentBody"
  "./internal/api FuzzCertificateStoresBody" "./internal/api FuzzDownloadBody" "./internal/api FuzzImportBody"
)
printf '| target | package | time | executions | new interesting inputs | result |\n|---|---|---|---|---|---|\n' > "$log/table"
for t in "${targets[@]}"; do
  pkg=${t% *} name=${t#* }
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  echo "== $name ($pkg, $fuzztime)" >&2
  go test -run=NONE -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg" > "$log/$name.out" 2>&1
  status=$?
  tail -3 "$log/$name.out" >&2
  last=$(grep -E 'fuzz: elapsed' "$log/$name.out" | tail -1)
  execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
  interesting=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
  result=ok; [ $status -ne 0 ] && result="FAILED (see $log/$name.out)"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$pkg" "$fuzztime" "${execs:-?}" "${interesting:-?}" "$result" >> "$log/table"
done
cat "$log/table"
