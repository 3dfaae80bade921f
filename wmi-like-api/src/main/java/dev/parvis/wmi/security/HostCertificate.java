package dev.parvis.wmi.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The host's TLS identity: an EC P-256 key and a self-signed certificate (Bouncy Castle) for
 * localhost, 127.0.0.1, ::1 and the host's name, made on first start and kept in the management
 * directory: {@code host.p12} and its password file (owner-only), and {@code host-cert.pem}, the
 * certificate clients pin.
 */
public final class HostCertificate {
    public static final String KEYSTORE = "host.p12";
    public static final String CERTIFICATE = "host-cert.pem";
    private static final String ALIAS = "parvis-host";
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final KeyStore keyStore;
    private final char[] password;
    private final X509Certificate certificate;
    private final Path pem;

    private HostCertificate(KeyStore keyStore, char[] password, X509Certificate certificate, Path pem) {
        this.keyStore = keyStore;
        this.password = password;
        this.certificate = certificate;
        this.pem = pem;
    }

    /** Loads the host's certificate from {@code dir}, creating it first when there is none. */
    public static HostCertificate loadOrCreate(Path dir, String hostName) {
        try {
            Files.createDirectories(dir);
            Path store = dir.resolve(KEYSTORE);
            Path pass = dir.resolve(KEYSTORE + ".pass");
            if (!Files.isRegularFile(store)) {
                create(dir, hostName);
            }
            char[] password = Files.readString(pass).strip().toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password);
            }
            return new HostCertificate(ks, password, (X509Certificate) ks.getCertificate(ALIAS), dir.resolve(CERTIFICATE));
        } catch (IOException e) {
            throw new UncheckedIOException("host certificate in " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("host certificate in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path dir, String hostName) throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = gen.generateKeyPair();
        X500Name subject = new X500Name("CN=" + hostName.replaceAll("[^A-Za-z0-9.-]", "-") + ",O=Parvis host");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, keys.getPublic());
        Set<GeneralName> names = new LinkedHashSet<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        names.add(new GeneralName(GeneralName.iPAddress, "::1"));
        if (hostName.matches("[A-Za-z0-9.-]+")) {
            names.add(new GeneralName(GeneralName.dNSName, hostName));
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        char[] password = UserStore.randomPassword().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(ALIAS, keys.getPrivate(), password, new java.security.cert.Certificate[] {cert});
        Path pass = dir.resolve(KEYSTORE + ".pass");
        Path store = dir.resolve(KEYSTORE);
        ownerOnly(pass);
        Files.writeString(pass, new String(password));
        ownerOnly(store);
        try (OutputStream out = Files.newOutputStream(store)) {
            ks.store(out, password);
        }
        String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        Files.writeString(dir.resolve(CERTIFICATE), pem);
    }

    private static void ownerOnly(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The PEM file clients pin. */
    public Path pemFile() {
        return pem;
    }

    /** The server's TLS context (TLS 1.3 and 1.2 only, see {@link #protocols()}). */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS context: " + e.getMessage(), e);
        }
    }

    public static String[] protocols() {
        return PROTOCOLS.clone();
    }

    /** A client TLS context that trusts exactly the certificate in {@code pemFile} (the host's, pinned). */
    public static SSLContext clientContext(Path pemFile) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509Certificate cert = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pemFile)));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host certificate " + pemFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("host certificate " + pemFile + ": " + e.getMessage(), e);
        }
    }
}
