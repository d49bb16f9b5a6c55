# Islet production image (not built in CI here: no Docker engine).
#   docker build -t islet .
#   docker run -p 8000:8000 -v islet-data:/app/data -e APP_URL=https://your.domain islet
FROM node:20-bookworm-slim
RUN npm install -g deno@2.9.6
WORKDIR /app
ENV DENO_DIR=/app/.deno-cache
COPY . .
RUN deno install && deno task build && mkdir -p data && chown -R node:node /app
USER node
ENV HOSTNAME=0.0.0.0 PORT=8000 DATABASE_PATH=/app/data/islet.db
EXPOSE 8000
# What `deno task start` runs: deno serve on $HOSTNAME:$PORT (set above;
# override with -e), exec'd so that deno gets the container's signals.
CMD ["sh", "-c", "exec deno serve -A --host \"$HOSTNAME\" --port \"$PORT\" _fresh/server.js"]
