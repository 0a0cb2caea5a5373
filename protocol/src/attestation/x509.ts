/**
 * The one place that loads @peculiar/x509: version 2.x resolves its services through tsyringe,
 * which needs the Reflect metadata polyfill to be loaded first. Import X.509 classes from here.
 */
import "reflect-metadata";
export { X509Certificate, BasicConstraintsExtension } from "@peculiar/x509";
