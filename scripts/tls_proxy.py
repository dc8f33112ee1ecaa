"""A TLS terminator on 127.0.0.1 in front of a plain-HTTP server (moto), with a
self-signed certificate for 127.0.0.1 made for the run: `make bench-cold` points the
SDK triggers at it (AWS_ENDPOINT_URL=https://..., SSL_CERT_FILE=its certificate) so
that their first AWS call pays for a real TLS handshake, as on Lambda."""

import select
import socket
import ssl
import subprocess
import threading
from pathlib import Path

from local_stack import free_port


def make_certificate(directory: Path) -> tuple:
    """A test CA and a certificate it signs for IP 127.0.0.1, both valid for a day:
    (key, certificate, CA certificate to trust). webpki refuses a self-signed CA
    certificate as a server's, hence the two."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca = directory / "tls-ca-key.pem", directory / "tls-ca.pem"
    key, csr, cert = directory / "tls-key.pem", directory / "tls.csr", directory / "tls-cert.pem"
    ext = directory / "tls-ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for argv in (["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "1",
                  "-subj", "/CN=cognito-triggers bench-cold CA"],
                 ["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
                 ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                  "-out", cert, "-days", "1", "-extfile", ext]):
        subprocess.run([str(a) for a in argv], check=True, capture_output=True)
    return key, cert, ca


class TlsProxy:
    """Accepts TLS on 127.0.0.1:<free port> and relays each connection to `target_port`."""

    def __init__(self, target_port: int, key: Path, cert: Path):
        self.target_port = target_port
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.port = free_port()
        self.endpoint = f"https://127.0.0.1:{self.port}"
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.running = True

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.listener.close()

    def _accept(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        """Relays one connection in one thread, which alone closes both sockets: two
        relaying threads closing each other's sockets let a blocked one go on reading
        a file descriptor the process has meanwhile given to a new connection."""
        try:
            tls = self.context.wrap_socket(client, server_side=True)
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except (OSError, ssl.SSLError):
            client.close()
            return
        try:
            while self.running:
                # Records ssl already holds would not wake select.
                ready = [tls] if tls.pending() else select.select([tls, upstream], [], [], 60)[0]
                if not ready:
                    break
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is tls else tls).sendall(data)
        except (OSError, ssl.SSLError):
            pass
        finally:
            tls.close()
            upstream.close()
