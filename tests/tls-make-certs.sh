#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tls-make-certs.sh DIR: test certificates for test-http-check and
# test-tls-check, made with the openssl CLI in DIR (which must exist):
#   ca.pem                the test CA (30 days)
#   good.pem/.key         leaf for localhost and 127.0.0.1, 30 days
#   soon.pem/.key         the same, 2 days
#   expired.pem/.key      the same, valid 2020-01-01 to 2020-01-02
#   other.pem/.key        leaf for other.example only (hostname mismatch)
#   self.pem/.key         self-signed for localhost and 127.0.0.1, 30 days
# Leaf files hold the leaf then the CA certificate.
set -eu

dir=$1
cd "$dir"

newkey="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

openssl req -x509 $newkey -keyout ca.key -out ca.pem -days 30 \
  -subj "/O=Status Monitor Tests/CN=Status Monitor Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

mkdir -p issued
: > index.txt
echo 1000 > serial
cat > ca.cnf <<CNF
[ca]
default_ca = test_ca
[test_ca]
dir = .
database = index.txt
serial = serial
new_certs_dir = issued
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
organizationName = optional
[local]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[other]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
CNF

# leaf NAME CN EXTENSIONS openssl-ca-validity-args...
leaf () {
  name=$1 cn=$2 ext=$3
  shift 3
  openssl req -new $newkey -keyout "$name.key" -out "$name.csr" \
    -subj "/O=Status Monitor Tests/CN=$cn" 2>/dev/null
  openssl ca -batch -notext -config ca.cnf -extensions "$ext" \
    -in "$name.csr" -out "$name.leaf" "$@" 2>/dev/null
  cat "$name.leaf" ca.pem > "$name.pem"
}

leaf good localhost local -days 30
leaf soon localhost local -days 2
leaf expired localhost local -startdate 20200101000000Z -enddate 20200102000000Z
leaf other other.example other -days 30

openssl req -x509 $newkey -keyout self.key -out self.pem -days 30 \
  -subj "/O=Status Monitor Tests/CN=Self Signed Test" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
