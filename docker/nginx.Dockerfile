# nginx for the scale-out profile: the widget and demo page from web/, and the proxy to the
# Rasa replicas (docker/nginx.conf).
FROM nginx:1.26.2

# Nothing leaves the machine (nginx sends nothing anyway; kept in every image alike).
ENV RASA_TELEMETRY_ENABLED=false

COPY docker/nginx.conf /etc/nginx/conf.d/default.conf
COPY web/index.html /usr/share/nginx/html/index.html
COPY web/clinic.css /usr/share/nginx/html/clinic.css
COPY web/widget/ /usr/share/nginx/html/widget/
# The socket.io client is copied from npm by `make install` (web/install-vendor.sh).
RUN test -f /usr/share/nginx/html/widget/vendor/socket.io.min.js \
 || { echo "web/widget/vendor/socket.io.min.js is missing: run 'make install' first" >&2; exit 1; }

EXPOSE 8080
