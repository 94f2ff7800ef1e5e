"""Makes password hashes the way other frameworks store them, with their own
libraries (Django's make_password, Python's bcrypt, argon2-cffi, passlib),
for the imported-hash test: prints one JSON object {format: hash} for the
password given as the first argument."""
import json
import sys

import bcrypt
from argon2 import PasswordHasher
from passlib.hash import pbkdf2_sha256 as passlib_pbkdf2, scrypt as passlib_scrypt, argon2 as passlib_argon2
import django
from django.conf import settings

settings.configure(PASSWORD_HASHERS=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
])
django.setup()
from django.contrib.auth.hashers import make_password

password = sys.argv[1]
out = {
    "django_pbkdf2_sha256": make_password(password, hasher="pbkdf2_sha256"),
    "django_argon2": make_password(password, hasher="argon2"),
    "bcrypt_2b": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode(),
    "bcrypt_2a": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4, prefix=b"2a")).decode(),
    "bcrypt_2y": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$", 1),
    "argon2id": PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(password),
    "argon2i": passlib_argon2.using(type="I", rounds=2, memory_cost=8192).hash(password),
    "scrypt": passlib_scrypt.using(rounds=14).hash(password),
    "pbkdf2_sha256": passlib_pbkdf2.using(rounds=29000).hash(password),
}
print(json.dumps(out))
