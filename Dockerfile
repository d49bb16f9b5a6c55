# Islet production image. Build: docker build -t islet .
# Run:   docker run -p 8000:8000 -v islet-data:/app/data -e APP_URL=https://your.domain islet
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npx -y deno@2.9.6 install && npx -y deno@2.9.6 task build

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV HOSTNAME=0.0.0.0 PORT=8000 DATABASE_PATH=/app/data/islet.db
EXPOSE 8000
USER node
CMD ["npx", "-y", "deno@2.9.6", "run", "-A", "_fresh/server.js"]
