# The printed certificate (PDF), issue 10 §4: fixed labels on the page.
cert-pdf-doc-title = Certificate
cert-pdf-title = CERTIFICATE
cert-pdf-certifies = This certifies that
cert-pdf-level = Level attained: { $level }
cert-pdf-issued-on = Issued { $date }
cert-pdf-code = Certificate code: { $code }
cert-pdf-verify-at = Verify at: { $url }
cert-pdf-course-level = Course level: { $level }
