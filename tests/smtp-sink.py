# SPDX-License-Identifier: GPL-3.0-or-later
"""An SMTP sink for test-email: aiosmtpd on 127.0.0.1, a port the kernel
picks, printed on stdout ("PORT <n> TLSPORT <m>") once it listens.

Run with Debian's interpreter (/usr/bin/python3, python3-aiosmtpd):

  smtp-sink.py --dir DIR --cert CERT --key KEY --user USER --password PW

It offers STARTTLS with the given certificate, AUTH PLAIN and LOGIN (only
after STARTTLS) for one user, and on a second port ("TLSPORT <n>") the
same under TLS from the first byte (smtps); and writes every message it accepts to DIR
as <n>.eml (the data as received) and <n>.json (envelope sender,
recipients, whether the session was under TLS, through STARTTLS or not,
and who logged in). RCPT TO a "refused@" address gets a 550. Both
files are complete when the client sees the 250 after DATA.
"""

import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        login = session.auth_data if session.authenticated else None
        implicit = server.transport.get_extra_info("ssl_object") is not None \
            and session.ssl is None
        base = os.path.join(self.directory, str(self.count))
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None or implicit,
            "starttls": session.ssl is not None,
            "login": login.decode() if isinstance(login, bytes) else login,
        }
        # Written under temporary names, then renamed: a reader never sees
        # half a file.
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login == self.user and auth_data.password == self.password
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    handler = Handler(args.dir)
    authenticator = Authenticator(args.user, args.password)

    def factory():
        return SMTP(handler,
                    hostname="sink.test",
                    tls_context=context,
                    require_starttls=False,
                    authenticator=authenticator,
                    auth_required=False,
                    auth_require_tls=True)

    def tls_factory():
        # TLS from the first byte: aiosmtpd does not know, so AUTH is
        # allowed without its STARTTLS.
        return SMTP(handler,
                    hostname="sink.test",
                    authenticator=authenticator,
                    auth_required=False,
                    auth_require_tls=False)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host="127.0.0.1", port=0)
    tls_server = await loop.create_server(tls_factory, host="127.0.0.1", port=0,
                                          ssl=context)
    print("PORT %d TLSPORT %d" % (server.sockets[0].getsockname()[1],
                                  tls_server.sockets[0].getsockname()[1]),
          flush=True)
    # Ends when the test closes our stdin (or kills us).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()
    tls_server.close()


if __name__ == "__main__":
    asyncio.run(main())
