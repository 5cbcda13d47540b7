// The official Node example of seed 000 (axios + form-data), with only the base URL, the token
// and the video path taken from the environment: create -> upload (fields, then the file
// stream; form-data headers) -> poll /analysis every 5 s while Pending, retrying at once on any
// error. Prints the final analysis as JSON on stdout.
const fs = require("fs");
const axios = require("axios");
const FormData = require("form-data");

const BASE = process.env.REPSTRIDE_BASE_URL;
const authToken = process.env.REPSTRIDE_TOKEN;
const videoPath = process.env.REPSTRIDE_VIDEO;

const uploadVideo = async (authToken) => {
  const videoStream = fs.createReadStream(videoPath);
  const videoSizeInBytes = fs.statSync(videoPath).size;
  const videoData = {
    filename: "test_squat.mp4",
    size: videoSizeInBytes,
    schemaId: "1569597a-3b59-45bf-9048-7287be905f48",
    source: "guru-api-test",
  };
  const createVideoResponse = await axios({
    method: "post",
    url: `${BASE}/videos`,
    headers: { Authorization: authToken },
    data: videoData,
  });
  const formData = new FormData();
  Object.keys(createVideoResponse.data.fields).forEach((key) => {
    formData.append(key, createVideoResponse.data.fields[key]);
  });
  formData.append("file", videoStream, "test_squat.mp4");
  await axios.post(createVideoResponse.data.url, formData, {
    headers: { ...formData.getHeaders() },
  });
  return createVideoResponse.data.id;
};

const getAnalysis = async (videoId, authToken) => {
  const endTime = Date.now() + 5 * 60 * 1000; // 5 minutes from now
  while (Date.now() < endTime) {
    try {
      const response = await axios({
        url: `${BASE}/videos/${videoId}/analysis`,
        headers: { Authorization: authToken },
      });
      if (response.data && response.data.status === "Pending") {
        await new Promise((resolve) => setTimeout(resolve, 5000)); // Poll every 5 seconds
      } else {
        return response.data;
      }
    } catch (error) {
      console.error("Error during polling for video analysis:", error.message);
    }
  }
  throw new Error("Video analysis did not complete in the expected time.");
};

(async () => {
  const id = await uploadVideo(authToken);
  const analysis = await getAnalysis(id, authToken);
  console.log(JSON.stringify({ id, analysis }));
})().catch((e) => {
  console.error(e.message, e.response ? JSON.stringify(e.response.data) : "");
  process.exit(1);
});
