# mockcommand: a small, static, non-root image.
#   docker build -t mockcommand .
#   docker run --rm -p 8080:8080 mockcommand
# Configuration is by MOCKCOMMAND_* environment variables (see the README).

# The build stage's base; a test without a registry passes its own Go image.
ARG GO_IMAGE=golang:1.26
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The test TestImageBinary (cmd/mockcommand) runs this exact build command.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/mockcommand ./cmd/mockcommand
# Smoke run: the binary starts and its usage text names the flags.
RUN /out/mockcommand -h 2>&1 | grep -q -- '-addr'
# Directories the non-root user (65532) writes: the database volume, the
# CA certificate for clients, and a temporary directory. They are copied as
# the contents of /out/root: COPY gives a copied directory itself mode 0755
# and root as owner, so /tmp would lose its 1777.
RUN mkdir -p /out/root/data /out/root/certs /out/root/tmp \
 && chown 65532:65532 /out/root/data /out/root/certs && chmod 1777 /out/root/tmp

FROM scratch
COPY --from=build /out/mockcommand /mockcommand
COPY --from=build /out/root/ /
USER 65532:65532
WORKDIR /data
VOLUME ["/data"]
# Listen on every interface. For HTTPS on 443 (what Keyfactor's Go SDK
# dials) set MOCKCOMMAND_ADDR=:443 and MOCKCOMMAND_TLS_SELF_SIGNED=true.
ENV MOCKCOMMAND_ADDR=:8080
EXPOSE 8080 443
HEALTHCHECK --interval=5s --timeout=3s --start-period=3s --retries=5 CMD ["/mockcommand", "healthcheck"]
ENTRYPOINT ["/mockcommand"]
