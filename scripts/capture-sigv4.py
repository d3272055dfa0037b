#!/usr/bin/python3
"""Capture SigV4-signed requests as the real Python clients make them.

Runs Debian's botocore (the library under the aws CLI v2 and boto3) against a
local socket that records the raw HTTP request and answers 500, with fixed
credentials, and writes each request to internal/sigv4/testdata/captured/.
The test takes each request's time from its X-Amz-Date. The Go test TestCapturedRequests verifies
them. Regenerate with: /usr/bin/python3 scripts/capture-sigv4.py
"""
import os, socket, threading

import botocore.session
import botocore.config

OUT = os.path.join(os.path.dirname(__file__), "..", "internal", "sigv4", "testdata", "captured")
KEY, SECRET, TOKEN = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None

def serve(sock, captured):
    conn, _ = sock.accept()
    data = b""
    conn.settimeout(2)
    while True:
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip())
        if b"\r\n\r\n" in data and len(body) >= length:
            break
    captured.append(data)
    conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    conn.close()

def capture(name, service, call, token=None):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    port = sock.getsockname()[1]
    captured = []
    t = threading.Thread(target=serve, args=(sock, captured))
    t.start()
    s = botocore.session.get_session()
    c = s.create_client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id=KEY, aws_secret_access_key=SECRET, aws_session_token=token,
                        config=botocore.config.Config(retries={"max_attempts": 1}))
    try:
        call(c)
    except Exception:
        pass
    t.join()
    sock.close()
    with open(os.path.join(OUT, name + ".http"), "wb") as f:
        f.write(captured[0])

os.makedirs(OUT, exist_ok=True)
capture("botocore-sts-get-caller-identity", "sts", lambda c: c.get_caller_identity())
capture("botocore-sts-assume-role", "sts", lambda c: c.assume_role(
    RoleArn="arn:aws:iam::436205817493:role/OrganizationAccountAccessRole", RoleSessionName="captured",
    Tags=[{"Key": "team", "Value": "platform security"}]))
capture("botocore-iam-create-user-session", "iam", lambda c: c.create_user(UserName="mallory"),
        token="FwoGZXIvYXdzEXAMPLETOKEN/with+plus=")
capture("botocore-organizations-list-accounts", "organizations", lambda c: c.list_accounts())
print("captured to", os.path.normpath(OUT))
