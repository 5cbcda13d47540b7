// The official Node example of seed 000 (axios + form-data), unmodified but for the base URL
// (GURU_BASE_URL), the video path (VIDEO_PATH) and a summary printed as JSON at the end.
const axios = require("axios");
const FormData = require("form-data");
const fs = require("fs");

const BASE = process.env.GURU_BASE_URL;
let pollingErrors = 0;

const getToken = async () => {
  const client_id = process.env.GURU_CLIENT_ID;
  const client_secret = process.env.GURU_CLIENT_SECRET;

  const options = {
    method: "POST",
    url: `${BASE}/oauth2/token`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    data: `grant_type=client_credentials&client_id=${client_id}&client_secret=${client_secret}&scope=`,
  };

  const response = await axios(options);
  const tokenData = {
    token: response.data.access_token,
    expiry: Date.now() + response.data.expires_in * 1000,
  };
  fs.writeFileSync("token.json", JSON.stringify(tokenData));
  return tokenData.token;
};

// Function to upload a video
const uploadVideo = async (authToken) => {
  const videoPath = process.env.VIDEO_PATH;
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

// Function to get video analysis
const getAnalysis = async (videoId, authToken) => {
  const endTime = Date.now() + 5 * 60 * 1000; // 5 minutes from now

  while (Date.now() < endTime) {
    try {
      const response = await axios({
        url: `${BASE}/videos/${videoId}/analysis`,
        headers: { Authorization: authToken },
      });

      if (response.data && response.data.status === "Pending") {
        console.error("Polling for video analysis...");
        await new Promise((resolve) => setTimeout(resolve, 5000)); // Poll every 5 seconds
      } else {
        return response.data;
      }
    } catch (error) {
      pollingErrors += 1;
      console.error("Error during polling for video analysis:", error.message);
    }
  }

  throw new Error("Video analysis did not complete in the expected time.");
};

(async () => {
  const token = await getToken();
  const videoId = await uploadVideo(token);
  const analysis = await getAnalysis(videoId, token);
  console.log(JSON.stringify({ videoId, analysis, pollingErrors }));
})().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
