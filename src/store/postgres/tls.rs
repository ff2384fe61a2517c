//! TLS for the PostgreSQL connections, over OpenSSL, as `postgres-openssl` does it but
//! built from an `SslContext` of our own. `openssl::SslConnector::builder` (which
//! `postgres-openssl` requires) always loads the system's CA bundle, and parsing it was two
//! thirds of every PostgreSQL command's start-up; baton never verifies against the system's
//! CAs (verify-ca and verify-full take `sslrootcert` or `~/.postgresql/root.crt`, as libpq
//! does), so here nothing is loaded unless a root certificate is named. The context's
//! options and modes are the ones `SslConnector` sets; the host check is its
//! `verify_hostname`; channel binding is `postgres-openssl`'s.

use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::ssl::SslVerifyMode;
use openssl::ssl::{Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslRef};
use openssl::x509::X509VerifyResult;
use openssl::x509::verify::X509CheckFlags;
use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};
use std::error::Error;
use std::fmt::{self, Debug};
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, BufReader, ReadBuf};
use tokio_openssl::SslStream;

/// What the connection checks of the server's certificate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Check {
    /// Nothing: the connection is encrypted, not authenticated (prefer, require).
    Nothing,
    /// The chain, up to the root certificate given (verify-ca).
    Chain,
    /// The chain and that the certificate names the host (verify-full).
    ChainAndHost,
}

/// Makes each connection's TLS session from one context.
#[derive(Clone)]
pub struct MakeTls {
    ctx: SslContext,
    check: Check,
}

impl MakeTls {
    /// A context that checks `check`, against `root_cert` (a PEM file) when it checks the
    /// chain.
    pub fn new(check: Check, root_cert: Option<&str>) -> Result<MakeTls, String> {
        let fail = |e: ErrorStack| format!("cannot set up TLS: {e}");
        let mut ctx = SslContextBuilder::new(SslMethod::tls_client()).map_err(fail)?;
        let mut opts = SslOptions::ALL
            | SslOptions::NO_COMPRESSION
            | SslOptions::NO_SSLV2
            | SslOptions::NO_SSLV3
            | SslOptions::SINGLE_DH_USE
            | SslOptions::SINGLE_ECDH_USE;
        opts &= !SslOptions::DONT_INSERT_EMPTY_FRAGMENTS;
        ctx.set_options(opts);
        ctx.set_mode(
            SslMode::AUTO_RETRY
                | SslMode::ACCEPT_MOVING_WRITE_BUFFER
                | SslMode::ENABLE_PARTIAL_WRITE
                | SslMode::RELEASE_BUFFERS,
        );
        ctx.set_cipher_list(
            "DEFAULT:!aNULL:!eNULL:!MD5:!3DES:!DES:!RC4:!IDEA:!SEED:!aDSS:!SRP:!PSK",
        )
        .map_err(fail)?;
        match check {
            Check::Nothing => ctx.set_verify(SslVerifyMode::NONE),
            Check::Chain | Check::ChainAndHost => {
                let file = root_cert.ok_or(
                    "sslmode verify-ca/verify-full needs the server's root certificate: add sslrootcert=FILE to the URL",
                )?;
                ctx.set_ca_file(file)
                    .map_err(|e| format!("cannot read the root certificate {file}: {e}"))?;
                ctx.set_verify(SslVerifyMode::PEER);
            }
        }
        Ok(MakeTls {
            ctx: ctx.build(),
            check,
        })
    }

    /// One session for `domain`: its name sent (SNI) unless it is an address, and checked
    /// against the certificate when the host is checked.
    fn session(&self, domain: &str) -> Result<Ssl, ErrorStack> {
        let mut ssl = Ssl::new(&self.ctx)?;
        let ip = domain.parse::<IpAddr>();
        if ip.is_err() {
            ssl.set_hostname(domain)?;
        }
        if self.check == Check::ChainAndHost {
            let param = ssl.param_mut();
            param.set_hostflags(X509CheckFlags::NO_PARTIAL_WILDCARDS);
            match ip {
                Ok(ip) => param.set_ip(ip)?,
                Err(_) => param.set_host(domain)?,
            }
        }
        Ok(ssl)
    }
}

impl<S> MakeTlsConnect<S> for MakeTls
where
    S: AsyncRead + AsyncWrite + Unpin + Debug + 'static + Sync + Send,
{
    type Stream = TlsStream<S>;
    type TlsConnect = Connect;
    type Error = ErrorStack;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Connect, ErrorStack> {
        Ok(Connect {
            ssl: self.session(domain)?,
        })
    }
}

/// One connection's handshake.
pub struct Connect {
    ssl: Ssl,
}

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type Error = Box<dyn Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<TlsStream<S>, Self::Error>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let stream = BufReader::with_capacity(8192, stream);
        Box::pin(async move {
            let mut stream = SslStream::new(self.ssl, stream)?;
            match Pin::new(&mut stream).connect().await {
                Ok(()) => Ok(TlsStream(stream)),
                Err(error) => Err(Box::new(HandshakeError {
                    error,
                    verify_result: stream.ssl().verify_result(),
                }) as _),
            }
        })
    }
}

/// A failed handshake, with the certificate check's verdict when there is one (what a user
/// needs to read: "certificate verify failed: hostname mismatch").
#[derive(Debug)]
struct HandshakeError {
    error: openssl::ssl::Error,
    verify_result: X509VerifyResult,
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)?;
        if self.verify_result != X509VerifyResult::OK {
            write!(f, ": {}", self.verify_result)?;
        }
        Ok(())
    }
}

impl Error for HandshakeError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

/// An encrypted connection.
pub struct TlsStream<S>(SslStream<BufReader<S>>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> postgres::tls::TlsStream for TlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        match server_end_point(self.0.ssl()) {
            Some(digest) => ChannelBinding::tls_server_end_point(digest),
            None => ChannelBinding::none(),
        }
    }
}

/// The `tls-server-end-point` binding (RFC 5929): the server certificate's digest, by its
/// signature's hash (SHA-256 for MD5 and SHA-1).
fn server_end_point(ssl: &SslRef) -> Option<Vec<u8>> {
    let cert = ssl.peer_certificate()?;
    let algorithm = cert.signature_algorithm().object().nid();
    let md = match algorithm.signature_algorithms()?.digest {
        Nid::MD5 | Nid::SHA1 => MessageDigest::sha256(),
        nid => MessageDigest::from_nid(nid)?,
    };
    cert.digest(md).ok().map(|d| d.to_vec())
}
